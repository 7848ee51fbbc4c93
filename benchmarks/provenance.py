"""Where a benchmark result came from: commit, date, CPU and its flags, versions, settings.

Every JSON under `benchmarks/results/` carries a `provenance` block made here, so a figure
can be re-run and trusted later. No absolute paths are recorded.

Example:

>>> from provenance import provenance, write_result
>>> write_result("pipeline", {"rows": rows}, config=recipe.config.to_dict(),
...              precision="float32")
"""

import datetime
import json
import os
import platform
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS_DIR = os.path.join(ROOT, "benchmarks", "results")
# The CPU flags that decide which kernels (and which precision) a run gets.
RELEVANT_FLAGS = ("avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile", "fma")


def _git(*args):
    try:
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                             timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def cpu_info(cpuinfo="/proc/cpuinfo"):
    """Returns `{"model": str, "flags": [relevant flags present], "cores": int}`."""
    model, flags = platform.processor() or platform.machine(), set()
    try:
        with open(cpuinfo) as handle:
            for line in handle:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and model in ("", platform.machine()):
                    model = value.strip()
                elif key.strip() == "flags":
                    flags.update(value.split())
    except OSError:
        pass
    return {"model": model, "flags": [f for f in RELEVANT_FLAGS if f in flags],
            "cores": os.cpu_count()}


def versions():
    """Returns the versions of Python and of the libraries a result depends on."""
    found = {"python": platform.python_version()}
    for name in ("tensorflow", "keras", "numpy", "kerasrecipes", "jax", "keras_cv"):
        try:
            module = __import__(name)
        except ImportError:
            continue
        found[name] = getattr(module, "__version__", "unknown")
    try:
        import keras

        found["keras_backend"] = keras.backend.backend()
    except ImportError:
        pass
    return found


def provenance(config=None, precision=None, **extra):
    """Returns the provenance block of a result.

    Args:
        config: the full config(s) the result ran (a dict, or a dict of dicts by name).
        precision: the **resolved** dtype policy (`"float32"`, `"mixed_bfloat16"`, ...),
            or a dict of them by run.
        **extra: more settings worth keeping (e.g. `command="python benchmarks/x.py"`).

    Returns:
        A JSON-ready dict with `commit`, `dirty`, `date`, `cpu`, `versions`, `precision`,
        `config` and the extras.
    """
    status = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "commit": _git("rev-parse", "HEAD"),
        "dirty": bool(status) if status is not None else None,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu": cpu_info(),
        "platform": platform.platform(),
        "versions": versions(),
        "precision": precision,
        "config": config,
        **extra,
    }


def write_result(name, result, config=None, precision=None, results_dir=None, **extra):
    """Writes `result` plus its provenance to `benchmarks/results/<name>.json`.

    `results_dir` writes elsewhere instead (tests use a temporary folder).

    The file is written to a temporary name and renamed, so an interrupted benchmark
    never leaves half a result behind.

    Returns:
        The path written.
    """
    results_dir = results_dir or RESULTS_DIR
    os.makedirs(results_dir, exist_ok=True)
    path = os.path.join(results_dir, f"{name}.json")
    payload = {"provenance": provenance(config=config, precision=precision, **extra), **result}
    tmp = path + ".tmp"
    with open(tmp, "w") as handle:
        json.dump(payload, handle, indent=2, sort_keys=False)
        handle.write("\n")
    os.replace(tmp, path)
    return path
