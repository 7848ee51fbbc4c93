"""Importing kerasrecipes before TensorFlow turns on oneDNN's kernels, unless told not to."""

import os
import subprocess
import sys

from kerasrecipes import _onednn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_sets_the_variable_only_when_unset_and_tensorflow_not_yet_imported():
    environ = {}
    assert _onednn.enable_onednn_kernels(environ, modules={}) is True
    assert environ == {"TF_ENABLE_ONEDNN_OPTS": "1"}
    opted_out = {"TF_ENABLE_ONEDNN_OPTS": "0"}
    assert _onednn.enable_onednn_kernels(opted_out, modules={}) is False
    assert opted_out == {"TF_ENABLE_ONEDNN_OPTS": "0"}
    too_late = {}
    assert _onednn.enable_onednn_kernels(too_late, modules={"tensorflow": object()}) is False
    assert too_late == {}


def test_tensorflow_loads_with_onednn_on_after_import_kerasrecipes():
    env = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}
    env.update(TF_CPP_MIN_LOG_LEVEL="0", KERAS_BACKEND="tensorflow",
               PYTHONPATH=os.pathsep.join(p for p in (ROOT, env.get("PYTHONPATH")) if p))
    out = subprocess.run(
        [sys.executable, "-c", "import kerasrecipes, os, tensorflow; "
         "print(os.environ['TF_ENABLE_ONEDNN_OPTS'])"],
        capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-1] == "1"
    # TensorFlow's own notice that it took the setting.
    assert "oneDNN custom operations are on" in out.stderr
