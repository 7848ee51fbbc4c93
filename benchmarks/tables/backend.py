"""README table: the library's models against the same layers in plain Keras (backend.py)."""

import os

from _format import load
from _format import source
from _format import table


def render(results_dir):
    """Returns the Markdown table from `backend.json`, else from `backend_quick.json`."""
    name = "backend" if os.path.exists(os.path.join(results_dir, "backend.json")) else "backend_quick"
    result = load(results_dir, name)
    rows = [
        [f"`{r['model']}`", r["policy"], f"{r['params']:,}", f"{r['library_images_per_s']:,.0f}",
         f"{r['plain_images_per_s']:,.0f}", f"{r['ratio']:.2f}×"]
        for r in result["rows"]
    ]
    note = (f"Backend {result['backend']} on {result['device']}"
            + (" (`--quick`: 1,024 images, one timed epoch; it shows the program runs, "
               "not a speed)" if result["quick"] else
               " ({images:,} images, {epochs} epochs, median of {repeats} interleaved "
               "library/plain repeats)".format(**result["provenance"]["config"]))
            + f". GPU: {result['gpu']}. {source(result)}")
    header = ["model", "policy", "params", "library images/s", "plain Keras images/s",
              "library / plain"]
    return table(header, rows) + "\n" + note + "\n"
