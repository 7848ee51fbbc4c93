"""Turns on TensorFlow's oneDNN kernels where TensorFlow leaves them off.

TensorFlow reads `TF_ENABLE_ONEDNN_OPTS` once, when it is imported. Unset, it turns the
oneDNN kernels on by itself only on some x86 CPUs; on an AVX2-only AMD EPYC it left them
off, and turning them on trained the default recipe 1.65x faster by wall time (1.63x by
median epochs) and the keras.io convnet 1.40x (1.46x), at 93.60 % against 93.73 % test
accuracy (`python benchmarks/compare.py --precision float32`: one seeded run with them off,
benchmarks/results/compare_onednn_off.json, against two interleaved pairs with them on,
compare.json; measured on different days of the same kind of machine, so the factors
carry its day-to-day variation: a same-day pair of runs gave 1.52x and 1.26x).
Importing kerasrecipes before TensorFlow therefore sets the variable to "1", unless it is
already set (set `TF_ENABLE_ONEDNN_OPTS=0` to keep TensorFlow's own kernels). Imported
after TensorFlow, it can change nothing, and changes nothing.

This module imports neither Keras nor TensorFlow: the package runs it first.
"""

import os
import sys

VARIABLE = "TF_ENABLE_ONEDNN_OPTS"


def enable_onednn_kernels(environ=None, modules=None):
    """Sets `TF_ENABLE_ONEDNN_OPTS=1` unless it is set or TensorFlow is already imported.

    Args:
        environ: the environment mapping to update; defaults to `os.environ`.
        modules: the imported modules; defaults to `sys.modules`.

    Returns:
        True when it set the variable, False when it left the environment alone.

    Example:

    >>> enable_onednn_kernels(environ={}, modules={})
    True
    >>> enable_onednn_kernels(environ={"TF_ENABLE_ONEDNN_OPTS": "0"}, modules={})
    False
    """
    environ = os.environ if environ is None else environ
    modules = sys.modules if modules is None else modules
    if VARIABLE in environ or "tensorflow" in modules:
        return False
    environ[VARIABLE] = "1"
    return True
