"""Renders the README's measured tables from `benchmarks/results/*.json`.

The README marks each rendered table with a pair of comments:

    <!-- table:NAME -->
    ...generated, never typed...
    <!-- /table:NAME -->

`NAME` names a renderer: the module `benchmarks/tables/NAME.py`, whose
`render(results_dir) -> str` reads its JSON result(s) and returns Markdown. Renderers use
the standard library only, so rendering needs neither TensorFlow nor Keras.

    python benchmarks/render.py          # rewrite the README's tables in place
    python benchmarks/render.py --check  # exit 1 if the README differs from the results
"""

import argparse
import importlib.util
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TABLES_DIR = os.path.join(ROOT, "benchmarks", "tables")
RESULTS_DIR = os.path.join(ROOT, "benchmarks", "results")
README = os.path.join(ROOT, "README.md")
BLOCK = re.compile(r"(<!-- table:([\w-]+) -->\n)(.*?)(<!-- /table:\2 -->)", re.S)


def renderer(name):
    """Returns the `render` function of `benchmarks/tables/<name>.py`.

    Raises:
        ValueError: no such renderer (lists the known ones).
    """
    path = os.path.join(TABLES_DIR, f"{name}.py")
    if not os.path.exists(path):
        known = sorted(f[:-3] for f in os.listdir(TABLES_DIR) if f.endswith(".py")
                       and not f.startswith("_"))
        raise ValueError(f"README block `table:{name}` has no renderer "
                         f"benchmarks/tables/{name}.py. Known: {known}")
    if TABLES_DIR not in sys.path:
        sys.path.insert(0, TABLES_DIR)  # renderers share `_format.py` beside them
    spec = importlib.util.spec_from_file_location(f"_kr_table_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.render


def render_text(text, results_dir=RESULTS_DIR):
    """Returns `text` with every table block regenerated from `results_dir`."""
    def fill(match):
        body = renderer(match.group(2))(results_dir).rstrip("\n") + "\n"
        return match.group(1) + body + match.group(4)

    return BLOCK.sub(fill, text)


def table_names(text):
    """Returns the renderer names the text's blocks use, in order."""
    return [m.group(2) for m in BLOCK.finditer(text)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when the README's tables differ from the results")
    args = parser.parse_args(argv)
    with open(README) as handle:
        text = handle.read()
    rendered = render_text(text)
    if args.check:
        if rendered != text:
            print("README.md tables are stale: run `python benchmarks/render.py`.",
                  file=sys.stderr)
            return 1
        return 0
    with open(README, "w") as handle:
        handle.write(rendered)
    print(f"Rendered {len(table_names(text))} table(s) into README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
