"""Loads a benchmark program or table renderer by its path in the repository.

`benchmarks/` is not a package: its programs import their siblings by name
(`import provenance`, `from _format import ...`), so the file's folder goes on
`sys.path` first. Each call executes the file afresh, as a new module object.
"""

import importlib.util
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load(path, name=None):
    """Returns the module at `path` (relative to the repository root, e.g.
    `"benchmarks/compare.py"`), named `name` or `_bench_<path>`."""
    folder = os.path.join(ROOT, os.path.dirname(path))
    if folder not in sys.path:
        sys.path.insert(0, folder)
    name = name or "_bench_" + os.path.splitext(path)[0].replace("/", "_")
    spec = importlib.util.spec_from_file_location(name, os.path.join(ROOT, path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
