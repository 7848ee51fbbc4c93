"""The runnable scripts under recipes/ use the public API only, and run to the end.

`KERASRECIPES_SMOKE=1` makes each script train on a few hundred images for one epoch
(and the test hands the recipes a 6,000/1,000-image subset of Fashion-MNIST to validate
and test on); the Colab notebook is executed by tests/test_notebook.py.
"""

import ast
import glob
import json
import os
import subprocess
import sys

import pytest

import kerasrecipes as kr

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPTS = sorted(glob.glob(os.path.join(ROOT, "recipes", "*.py")))
TEMPLATE = os.path.join(ROOT, "recipes", "fashion_mnist_vgg.py")


def _code(path):
    """The script's code without its markdown strings, its own recipe name as `<recipe>`."""
    name = os.path.splitext(os.path.basename(path))[0]
    with open(path) as handle:
        tree = ast.parse(handle.read())
    tree.body = [node for node in tree.body if not (
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str))]
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value == name:
            node.value = "<recipe>"
    return ast.dump(tree)


# A script whose code is the template's with another recipe name runs exactly as the
# template does (its recipe is trained by tests/test_benchmark_compare.py's quick run), so
# only the template and the scripts with code of their own are run end to end here.
COPIES = [p for p in SCRIPTS if p != TEMPLATE and _code(p) == _code(TEMPLATE)]
RUN = [p for p in SCRIPTS if p not in COPIES]


def _public_api_calls(tree):
    """Yields dotted names `kr.a.b` used in `tree`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            parts = []
            while isinstance(node, ast.Attribute):
                parts.append(node.attr)
                node = node.value
            if isinstance(node, ast.Name) and node.id == "kr":
                yield list(reversed(parts))


def _check(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
            assert not (module or "").startswith("kerasrecipes."), f"private import {module}"
    for parts in _public_api_calls(tree):
        obj = kr
        for part in parts[:2]:
            obj = getattr(obj, part)  # AttributeError: the script uses a name that is gone


@pytest.mark.parametrize("path", SCRIPTS, ids=os.path.basename)
def test_script_parses_and_uses_existing_public_names(path):
    with open(path) as handle:
        _check(ast.parse(handle.read()))


def test_copies_of_the_template_differ_from_it_only_in_their_recipe():
    names = sorted(os.path.basename(p) for p in COPIES)
    assert names == ["fashion_mnist_best.py", "fashion_mnist_fast.py"]
    for path in COPIES:
        with open(path) as handle:
            text = handle.read()
        assert text.count(os.path.basename(path)[:-3]) >= 2, path  # the recipe and its run
    assert _code(os.path.join(ROOT, "recipes", "image_classifier.py")) != _code(TEMPLATE)


def test_every_recipe_has_a_script():
    stems = {os.path.splitext(os.path.basename(p))[0] for p in SCRIPTS}
    assert set(kr.recipes.names()) <= stems


def test_colab_notebook_code_cells_parse():
    with open(os.path.join(ROOT, "recipes", "colab_quickstart.ipynb")) as handle:
        notebook = json.load(handle)
    cells = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert cells
    for cell in cells:
        # IPython's `!shell` lines are not Python.
        source = "".join(
            line for line in cell["source"] if not line.lstrip().startswith("!")
        )
        _check(ast.parse(source or "pass"))


# One interpreter runs the scripts in turn, each in its own folder and as `__main__`, so
# TensorFlow starts once: a new script costs its tiny training, not another start-up.
# The recipes read Fashion-MNIST's first 6,000 training and 1,000 test images: with
# train_samples=256, the 6,000 validation and 10,000 test images of the whole set cost
# more than the training (the scripts' own `kr.data.load` still reads the whole set).
_RUN_ALL = """
import os, runpy, sys
from kerasrecipes.data import datasets
_load = datasets.load
def _subset(*args, **kwargs):
    (x, y), (x_test, y_test) = _load(*args, **kwargs)
    print("=== subset of", len(y), "images", flush=True)
    return (x[:6000], y[:6000]), (x_test[:1000], y_test[:1000])
datasets.load = _subset
for path, folder in list(zip(sys.argv[1::2], sys.argv[2::2])):
    os.chdir(folder)
    sys.argv = [path]  # as `python path` would see it
    print("=== script:", path, flush=True)
    runpy.run_path(path, run_name="__main__")
    sys.stdout.flush()
"""


@pytest.mark.slow
def test_scripts_run_to_the_end_with_tiny_settings(tmp_path):
    env = dict(os.environ, KERASRECIPES_SMOKE="1", TF_CPP_MIN_LOG_LEVEL="3",
               PYTHONPATH=os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")]))
    argv = []
    for path in RUN:
        cwd = tmp_path / os.path.basename(path)
        cwd.mkdir()
        argv += [path, str(cwd)]
    process = subprocess.run([sys.executable, "-c", _RUN_ALL, *argv], env=env, text=True,
                             capture_output=True, timeout=600)
    outputs = dict(part.split("\n", 1) for part in process.stdout.split("=== script: ")[1:])
    assert process.returncode == 0, (
        f"{list(outputs)[-1] if outputs else SCRIPTS[0]} failed:\n{process.stderr[-3000:]}")
    assert sorted(outputs) == RUN
    for path, out in outputs.items():
        name = os.path.splitext(os.path.basename(path))[0]
        assert '"train_samples": 256' in out and '"epochs": 1' in out, path
        assert "Training on " in out
        if name.startswith("fashion_mnist"):
            assert "=== subset of 60000 images" in out, path
        test_line = [line for line in out.splitlines() if line.startswith("test:")]
        assert test_line and "'accuracy'" in test_line[0]
        assert (tmp_path / os.path.basename(path) / "saved_models" / name / "1"
                / "saved_model.pb").exists()
