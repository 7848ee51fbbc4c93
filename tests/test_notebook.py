"""The Colab notebook runs from top to bottom (headless, nbclient) on a tiny subset."""

import importlib.util
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOK = os.path.join(ROOT, "recipes", "colab_quickstart.ipynb")


def _read():
    import nbformat

    return nbformat.read(NOTEBOOK, as_version=4)


def _cell(notebook, tag):
    (cell,) = [c for c in notebook.cells if tag in c.metadata.get("tags", [])]
    return cell


def _text(cell):
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts.append(output.get("data", {}).get("text/plain", ""))
    return "".join(parts)


# The recipe reads Fashion-MNIST's first 6,000 training and 1,000 test images: with 128
# training images, validating on 6,000 and testing on 10,000 cost more than the training.
# (`kr.data.load` in the notebook's own cells still reads the whole set.)
SUBSET = """
from kerasrecipes.data import datasets as _datasets
_load = _datasets.load
def _subset(*args, **kwargs):
    (x, y), (x_test, y_test) = _load(*args, **kwargs)
    return (x[:6000], y[:6000]), (x_test[:1000], y_test[:1000])
_datasets.load = _subset
"""


@pytest.mark.slow
def test_notebook_executes_on_a_tiny_subset(tmp_path):
    from nbclient import NotebookClient

    notebook = _read()
    export_dir = tmp_path / "exports"
    _cell(notebook, "parameters").source = (
        'RECIPE = "fashion_mnist_vgg"\nEPOCHS = 1\nTRAIN_SAMPLES = 128\nBATCH_SIZE = 64\n'
        f'REPO_DIR = {ROOT!r}\nREPO_URL = ""\nEXPORT_DIR = {str(export_dir)!r}\n' + SUBSET
    )
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "\n".join(_text(c) for c in notebook.cells if c.cell_type == "code")
    assert "kerasrecipes is already installed" in text
    assert "No GPU in this runtime: training on CPU" in text  # no GPU here
    # float32, or mixed_bfloat16 where the CPU has AMX: what precision="auto" picks here.
    from kerasrecipes.training import precision

    assert "Training on CPU" in text and f"precision {precision.resolve('auto')}," in text
    assert "sanity check passed" in text.lower()
    assert os.path.isdir(export_dir / "fashion_mnist_vgg" / "1")
    assert text.count("predicted ") == 8
    images = [o for c in notebook.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) == 2  # the augmentation grid and the curves
    assert (tmp_path / "augment_flip_crop.png").exists() and (tmp_path / "curves.png").exists()


def _run_install_cell(monkeypatch, repo_dir, repo_url):
    calls = []
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    monkeypatch.setattr(subprocess, "run", lambda args, **kw: calls.append(args))
    monkeypatch.setattr(sys, "path", list(sys.path))  # the cell adds the clone to it
    namespace = {"REPO_DIR": str(repo_dir), "REPO_URL": repo_url}
    exec(_cell(_read(), "install").source, namespace)
    return calls


def test_install_cell_uses_the_clone_then_the_url(monkeypatch, tmp_path):
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = kerasrecipes\n")
    assert _run_install_cell(monkeypatch, tmp_path, "")[0][-2:] == ["-e", str(tmp_path)]
    url = "https://github.com/example/kerasrecipes"
    assert _run_install_cell(monkeypatch, tmp_path / "none", url)[0][-1] == f"git+{url}"


def test_install_cell_stops_with_a_message_when_there_is_nothing_to_install(monkeypatch, tmp_path):
    with pytest.raises(RuntimeError, match=r"no clone in REPO_DIR=.* and REPO_URL is empty"):
        _run_install_cell(monkeypatch, tmp_path, "")
