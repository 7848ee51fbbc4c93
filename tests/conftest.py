"""Shared fixtures: real Fashion-MNIST (loaded once), quiet TensorFlow logs, and under
pytest-xdist TensorFlow threads sized to each worker's share of the cores."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _intra_op_threads():
    """TensorFlow intra-op threads for one pytest-xdist worker: the cores shared among the
    workers (`make test` runs two on CI's two cores), or None outside xdist.

    Each worker otherwise starts one thread per core, and two workers oversubscribe the
    cores: on 2 cores, one thread per worker took ~5 % less wall and CPU time over the
    slow recipe tests (run A/B/A/B: 219/218 s vs 209/208 s).
    """
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers < 2:
        return None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, (cores or 1) // workers)


# Read by TensorFlow when it starts its thread pools, so before any test imports it; the
# processes the tests start inherit it. A value set by the caller is kept.
_THREADS = _intra_op_threads()
if _THREADS is not None:
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", str(_THREADS))

# Before any test module imports Keras: the suite runs on the kernels users get, oneDNN's
# (kerasrecipes/_onednn.py), whichever module a worker happens to import first.
import kerasrecipes  # noqa: E402, F401
import pytest  # noqa: E402


@pytest.fixture(scope="session")
def fashion_mnist():
    from kerasrecipes import data

    return data.load("fashion_mnist")


def _module_scoped_fixtures(item):
    info = getattr(item, "_fixtureinfo", None)  # pytest's own record of the item's fixtures
    if info is None:
        return False
    return any(defs and defs[-1].scope == "module" for defs in info.name2fixturedefs.values())


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the xdist_group marks
def pytest_collection_modifyitems(config, items):
    """Orders and groups the tests for two pytest-xdist workers (`make test`).

    - A module whose tests share a module-scoped fixture (a trained model, a quick
      benchmark run) runs on one worker, so the fixture is built once, not once per worker.
    - Modules with `slow` tests run first, those in a named `xdist_group` (the largest
      units of work) before the others, so the longest work starts early and the many
      short tests fill the end instead of one worker finishing a long test alone. This
      order is kept only with `--no-loadscope-reorder` (as `make test` runs), since
      pytest-xdist otherwise sorts groups by their number of tests.
    Tests otherwise stay in collection order.
    """
    named = {item.module.__name__ for item in items if item.get_closest_marker("xdist_group")}
    for item in items:
        if item.get_closest_marker("xdist_group") is None and _module_scoped_fixtures(item):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
    slow = {item.module.__name__ for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: (item.module.__name__ not in slow,
                                 item.module.__name__ not in named))
