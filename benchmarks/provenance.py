"""Where a benchmark result came from: commit, date, CPU and its flags, versions, settings.

Every JSON under `benchmarks/results/` carries a `provenance` block made here, so a figure
can be re-run and trusted later. No absolute paths are recorded.

A recipe a benchmark runs goes into `config` through `recipe_config(recipe, overrides)`:
the full config (as before) plus, in `provenance["recipes"]`, which recipe it was and
which keys the benchmark overrode (`{"config.member": {"recipe": "fashion_mnist_vgg",
"overrides": {"epochs": 2, "width": 0.25}}}`). `tests/test_results_current.py` rebuilds
each such config from the recipe's *current* defaults and the overrides (`drift()`), so a
result whose recipe has changed since fails until it is re-run or marked
`"historical": {"reason": ..., "commit": ...}`. Machine-local values (a temporary data
folder, log or checkpoint paths: `PLACEHOLDER_KEYS`) are stored as `"<...>"` placeholders
and not compared.

Example:

>>> from provenance import recipe_config, write_result
>>> overrides = {"epochs": 2, "width": 0.25}
>>> recipe = kr.recipes.get("fashion_mnist_vgg")(**overrides)
>>> ...
>>> write_result("ensembles", {"rows": rows},
...              config={"member": recipe_config(recipe, overrides)},
...              precision="float32", command="python benchmarks/ensembles.py")
"""

import datetime
import json
import os
import platform
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS_DIR = os.path.join(ROOT, "benchmarks", "results")
# The CPU flags that decide which kernels (and which precision) a run gets.
RELEVANT_FLAGS = ("avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile", "fma")
# Environment variables that change which kernels or how many threads a run gets
# (TensorFlow reads them once, at import): recorded when set.
RELEVANT_ENV = ("TF_ENABLE_ONEDNN_OPTS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS",
                "OMP_NUM_THREADS", "KERAS_BACKEND", "XLA_FLAGS")
# Config keys whose value may be a path on the machine that ran: stored as a placeholder
# ("<temporary PNG folder>") and left out of the comparison with the current defaults.
PLACEHOLDER_KEYS = ("data", "cache", "log_dir", "checkpoint_dir", "backup_dir")
# The keys that make a dict inside `config` a full recipe config.
_RECIPE_CONFIG_KEYS = {"name", "model", "epochs", "batch_size", "optimizer"}
_MISSING = object()  # no such key: never equal to a stored value


def _git(*args, cwd=ROOT):
    try:
        out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                             timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def dirty(root=ROOT):
    """Whether a tracked file differs from the commit, results aside; None outside git.

    `benchmarks/results/` is left out because the programs write there while they run
    (tips.py after every row), so a result would otherwise mark itself dirty.
    """
    status = _git("status", "--porcelain", "--untracked-files=no", "--",
                  ":(exclude)benchmarks/results", cwd=root)
    return bool(status) if status is not None else None


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


class RecipeConfigDict(dict):
    """A recipe's full config dict that also knows its recipe and the overrides it ran.

    Made by `recipe_config`; `provenance()` finds these inside `config` and records
    `record` (`{"recipe": name, "overrides": {...}}`) under `provenance["recipes"]`.
    """

    record = None


def _is_placeholder(value):
    return isinstance(value, str) and value.startswith("<") and value.endswith(">")


def recipe_config(recipe, overrides=None, placeholders=None):
    """Returns the full config of a recipe run, tagged with its recipe and overrides.

    Put what it returns anywhere inside `write_result(config=...)`; the result then
    records the overrides beside the full config, and the tests can check that the
    recipe's current defaults with these overrides still give the stored config.

    Args:
        recipe: str, a registered recipe name; or a built `Recipe` or a `RecipeConfig`,
            whose config must then be exactly the recipe's defaults with `overrides`.
        overrides: dict, every config key the benchmark set (values as passed to the
            recipe, `--set` strings included), or None.
        placeholders: dict, for keys in `PLACEHOLDER_KEYS`, the text stored instead of
            a machine-local value, e.g. `{"data": "<temporary PNG folder>"}`. Absolute
            paths in those keys become `"<local path>"` without it.

    Returns:
        A `RecipeConfigDict`: the full config as a JSON-ready dict.

    Raises:
        ValueError: a placeholder for a key not in `PLACEHOLDER_KEYS`, or a given
            recipe/config that the defaults and `overrides` do not explain (a key the
            benchmark set but did not declare).

    Example:

    >>> recipe_config("fashion_mnist_vgg", {"epochs": 2})["epochs"]
    2
    """
    import kerasrecipes as kr

    placeholders = dict(placeholders or {})
    for key in placeholders:
        if key not in PLACEHOLDER_KEYS:
            raise ValueError(f"Argument `placeholders` may only name {PLACEHOLDER_KEYS}. "
                             f"Received: placeholders={placeholders!r}")
    overrides, _ = kr.recipes.split_data_object(dict(overrides or {}))
    given = recipe if isinstance(recipe, kr.recipes.RecipeConfig) else getattr(recipe, "config", None)
    name = given.name if given is not None else recipe
    expected = kr.recipes.config(name, **overrides)
    if given is not None and given.to_dict() != expected.to_dict():
        differing = {key: (value, expected.to_dict()[key]) for key, value in given.to_dict().items()
                     if value != expected.to_dict()[key]}
        raise ValueError(
            f"Argument `overrides` must name every key the benchmark set on recipe "
            f"`{name}`. These differ from its defaults with overrides={overrides!r} "
            f"(ran, expected): {differing}")
    full = expected.to_dict()
    coerced = {key: full[key] for key in overrides}
    for key in PLACEHOLDER_KEYS:
        value = full[key]
        if key in placeholders:
            value = placeholders[key]
        elif isinstance(value, str) and os.path.isabs(value):
            value = "<local path>"
        full[key] = value
        if key in coerced:
            coerced[key] = value
    tagged = RecipeConfigDict(full)
    tagged.record = {"recipe": name, "overrides": coerced}
    return tagged


def _walk(value, path):
    """Yields `(dotted path, dict)` for every dict inside `value` (lists included: their
    items are numbered, e.g. one config per seed), outermost first."""
    if isinstance(value, dict):
        yield path, value
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}.{index}")


def recipe_runs(config):
    """Returns `{dotted path: record}` of the `recipe_config` dicts inside `config`."""
    return {path: found.record for path, found in _walk(config, "config")
            if isinstance(found, RecipeConfigDict)}


def _lookup(prov, path):
    value = prov
    for key in path.split("."):
        value = value[int(key)] if isinstance(value, list) else value[key]
    return value


def _shown(config, key):
    return repr(config[key]) if key in config else "(absent)"


def drift(result, label):
    """Returns what makes a result's recipe runs no longer match their recipes today.

    For each run recorded in `provenance["recipes"]` it rebuilds
    `kr.recipes.get(recipe).defaults.replace(**overrides).to_dict()` and compares it
    with the stored full config, key by key (placeholders of `PLACEHOLDER_KEYS` left
    out, and keys added to `RecipeConfig` since the run that are still at the
    dataclass's default, which keeps the behaviour the run had); a full recipe config
    inside `config` with no record is reported too.

    Args:
        result: dict, a parsed result with a `provenance` block.
        label: str, how messages name the result (e.g. `benchmarks/results/x.json`).

    Returns:
        A list of messages, one per stale run; empty when the result is current.
    """
    import kerasrecipes as kr

    prov = result["provenance"]
    records = prov.get("recipes") or {}
    config = prov.get("config")
    command = (prov.get("command") or (config.get("command") if isinstance(config, dict) else None)
               or "the benchmark that wrote it")
    todo = (f"Re-run `{command}` or mark it historical with a reason "
            "(`\"historical\": {\"reason\": ..., \"commit\": ...}`).")
    fresh = kr.recipes.RecipeConfig().to_dict()
    messages = []
    for path, found in _walk(config, "config"):
        if path not in records and _RECIPE_CONFIG_KEYS <= set(found):
            messages.append(f"{label}: `{path}` is a recipe config with no record of its "
                            f"recipe and overrides (`provenance.recipe_config`). {todo}")
    for path, record in sorted(records.items()):
        name, overrides = record["recipe"], record["overrides"]
        try:
            stored = _lookup(prov, path)
            current = kr.recipes.get(name).defaults.replace(**overrides).to_dict()
        except (KeyError, TypeError, ValueError) as error:
            messages.append(f"{label}: `{path}` (recipe `{name}`) cannot be rebuilt today: "
                            f"{error}. {todo}")
            continue
        lines = []
        for key in sorted(set(stored) | set(current)):
            if key in PLACEHOLDER_KEYS and _is_placeholder(stored.get(key)):
                continue
            if key not in stored and current.get(key) == fresh.get(key, _MISSING):
                continue  # a key added since, left at its default: the old behaviour
            if key not in stored or key not in current or stored[key] != current[key]:
                lines.append(f"  {key}: stored {_shown(stored, key)}, "
                             f"current {_shown(current, key)}")
        if lines:
            messages.append(
                f"{label}: `{path}` no longer matches recipe `{name}`'s current defaults "
                f"with overrides {overrides!r}:\n" + "\n".join(lines) + f"\n{todo}")
    return messages


def process_seconds(stat="/proc/self/stat", uptime="/proc/uptime"):
    """Seconds since this process started (Linux's /proc), or None where unknown.

    Recorded as `elapsed_s`, so a result says how long the benchmark that wrote it ran
    (`benchmarks/stale.py` sums them to plan a re-run).
    """
    try:
        with open(stat) as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        with open(uptime) as handle:
            since_boot = float(handle.read().split()[0])
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: starttime
    except (OSError, ValueError, IndexError):
        return None
    return round(since_boot - started, 1)


def cpu_times(stat="/proc/stat"):
    """`(steal, total)` CPU time of the whole machine so far, in clock ticks (Linux's
    /proc/stat), or None where unknown."""
    try:
        with open(stat) as handle:
            ticks = [int(value) for value in handle.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    # user, nice, system, idle, iowait, irq, softirq, steal (guest time is inside user)
    return (ticks[7] if len(ticks) == 8 else 0), sum(ticks)


_CPU_TIMES_AT_START = cpu_times()


def steal_share(start=None, now=None):
    """The share of the machine's CPU time a hypervisor gave to other guests (steal)
    between `start` and `now` (`cpu_times()` values; by default since this module was
    imported, i.e. the benchmark's start, and now), or None where unknown.

    Recorded as `cpu_steal_share`: on a shared virtual machine a share of 0.25 means
    the run's timings were taken on a quarter less CPU than the cores suggest, and a
    ratio between runs measured at different times may reflect the host, not the code.
    """
    start = _CPU_TIMES_AT_START if start is None else start
    now = cpu_times() if now is None else now
    if start is None or now is None or now[1] <= start[1]:
        return None
    return round((now[0] - start[0]) / (now[1] - start[1]), 3)


def _command():
    """The command line that is running, with the script's path relative to the repo."""
    script = os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    if not (script.startswith(ROOT + os.sep) and os.path.isfile(script)):
        return None
    return " ".join(["python", os.path.relpath(script, ROOT), *sys.argv[1:]])


def provenance(config=None, precision=None, **extra):
    """Returns the provenance block of a result.

    Args:
        config: the full config(s) the result ran (a dict, or a dict of dicts by name);
            recipe runs made with `recipe_config` anywhere inside it.
        precision: the **resolved** dtype policy (`"float32"`, `"mixed_bfloat16"`, ...),
            or a dict of them by run.
        **extra: more settings worth keeping (e.g. `command="python benchmarks/x.py"`;
            without one, the running script's command line is recorded).

    Returns:
        A JSON-ready dict with `commit`, `dirty`, `date`, `elapsed_s` (the process's
        seconds so far), `cpu_steal_share` (`steal_share()`), `cpu`, `versions`, `precision`,
        `environment` (the `RELEVANT_ENV` variables that are set),
        `config`, `recipes` (`{path in config: {"recipe", "overrides"}}`), `command`
        and the extras.
    """
    extra.setdefault("command", _command())
    return {
        "commit": _git("rev-parse", "HEAD"),
        "dirty": dirty(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "elapsed_s": process_seconds(),
        "cpu_steal_share": steal_share(),
        "cpu": cpu_info(),
        "platform": platform.platform(),
        "versions": versions(),
        "precision": precision,
        "environment": {name: os.environ[name] for name in RELEVANT_ENV if name in os.environ},
        "config": config,
        "recipes": recipe_runs(config),
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
