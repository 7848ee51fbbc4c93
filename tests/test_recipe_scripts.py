"""The runnable scripts under recipes/ and the Colab notebook use the public API only."""

import ast
import glob
import json
import os

import pytest

import kerasrecipes as kr

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPTS = sorted(glob.glob(os.path.join(ROOT, "recipes", "*.py")))


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
