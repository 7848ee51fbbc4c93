"""README table: inference images/s with batch norm folded into the convolutions
(`benchmarks/fold.py`, fold.json)."""

from _format import load
from _format import source
from _format import table


def render(results_dir):
    result = load(results_dir, "fold")
    rows = []
    for name, row in result["models"].items():
        for path, label in (("keras", "Keras `predict_on_batch`"),
                            ("saved_model", "SavedModel `serving_default`")):
            median = row[path]["median_images_per_s"]
            rows.append([f"`{name}`", label, f"{row['folded_batch_norms']} / {row['batch_norms']}",
                         f"{median['original']:,.0f}", f"{median['folded']:,.0f}",
                         f"{row[path]['speedup']:.2f}×",
                         f"{row['max_abs_probability_difference']:.0e}"])
    text = table(["model", "served by", "batch norms folded", "images/s", "folded images/s",
                  "speedup", "largest probability change"], rows)
    config = result["provenance"]["config"]
    quick = "**Quick run** (not a measurement). " if result.get("quick") else ""
    return (text + f"\n{quick}Batch {config['batch_size']}, float32, the median of "
            f"{config['repeats']} interleaved rounds of {config['calls']} calls each; batch-norm "
            "statistics drawn at random so that a wrong fold would show. "
            + source(result) + "\n")
