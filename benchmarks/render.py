"""Renders the README's measured tables from `benchmarks/results/*.json`.

The README marks each rendered table with a pair of comments:

    <!-- table:NAME -->
    ...generated, never typed...
    <!-- /table:NAME -->

`NAME` names a renderer: the module `benchmarks/tables/NAME.py`, whose
`render(results_dir) -> str` reads its JSON result(s) and returns Markdown. Renderers use
the standard library only, so rendering needs neither TensorFlow nor Keras.

The package's docstrings carry the tips table's verdicts the same way: a line
`Measured (tips.json, ROW: A vs B): ...` is rewritten from `benchmarks/results/tips.json`
(`tables/tips.py`'s `measured_line`), so a part states its measured effect, never a typed one.

The tips table also stands alone beside its result (`benchmarks/results/tips.md`, written
first by `benchmarks/tips.py`); it is re-rendered here too, since it cites other results
(ensembles.json) that change without tips.json.

    python benchmarks/render.py          # rewrite the README's tables and docstrings
    python benchmarks/render.py --check  # exit 1 if either differs from the results
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
PACKAGE = os.path.join(ROOT, "kerasrecipes")
MEASURED = re.compile(r"^(?P<head>[ \t]*Measured \(tips\.json, (?P<row>\w+): "
                      r"(?P<a>[\w./]+) vs (?P<b>[\w./]+)\): ).*$", re.M)
BLOCK = re.compile(r"(<!-- table:([\w-]+) -->\n)(.*?)(<!-- /table:\2 -->)", re.S)


def table_module(name):
    """Returns the module `benchmarks/tables/<name>.py`.

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
    return module


def renderer(name):
    """Returns the `render` function of `benchmarks/tables/<name>.py`."""
    return table_module(name).render


def render_text(text, results_dir=RESULTS_DIR):
    """Returns `text` with every table block regenerated from `results_dir`."""
    def fill(match):
        body = renderer(match.group(2))(results_dir).rstrip("\n") + "\n"
        return match.group(1) + body + match.group(4)

    return BLOCK.sub(fill, text)


def render_docstrings(results_dir=RESULTS_DIR, package=PACKAGE):
    """Returns `{path: new text}` of the package's files whose `Measured` lines are stale."""
    measured_line = table_module("tips").measured_line
    stale = {}
    for folder, _, files in os.walk(package):
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            path = os.path.join(folder, name)
            with open(path) as handle:
                text = handle.read()
            new = MEASURED.sub(lambda m: m.group("head") + measured_line(
                results_dir, m.group("row"), m.group("a"), m.group("b")), text)
            if new != text:
                stale[path] = new
    return stale


# Tables kept as Markdown files beside their result: renderer name -> file name.
STANDALONE = {"tips": "tips.md"}


def render_standalone(results_dir=RESULTS_DIR):
    """Returns `{path: new text}` of the standalone tables whose text is stale."""
    stale = {}
    for name, file in STANDALONE.items():
        path = os.path.join(results_dir, file)
        if not os.path.exists(os.path.join(results_dir, f"{name}.json")):
            continue
        new, old = renderer(name)(results_dir), None
        if os.path.exists(path):
            with open(path) as handle:
                old = handle.read()
        if new != old:
            stale[path] = new
    return stale


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
    docstrings = {**render_docstrings(), **render_standalone()}
    if args.check:
        stale = (["README.md"] if rendered != text else []) + [
            os.path.relpath(path, ROOT) for path in docstrings]
        if stale:
            print(f"Stale measured figures in {stale}: run `python benchmarks/render.py`.",
                  file=sys.stderr)
            return 1
        return 0
    with open(README, "w") as handle:
        handle.write(rendered)
    for path, new in docstrings.items():
        with open(path, "w") as handle:
            handle.write(new)
    print(f"Rendered {len(table_names(text))} table(s) into README.md and "
          f"{len(docstrings)} other file(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
