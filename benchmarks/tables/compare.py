"""README table: the recipes against the keras.io convnet, side by side.

The table is the first current run of the whole comparison in `CPU_RUNS` (one per kind
of CPU measured; a run marked historical yields to a current one), the others a
paragraph each. A recipe's row comes from its own run where one exists
(`SEPARATE_RUNS`): e.g. `compare.py --only-best --result compare_best` for the long
`fashion_mnist_best`, with its ratios to the keras.io run measured beside it in that
file, footnoted. A paragraph's run NAME takes the same from `NAME_best`,
`NAME_overhead`, `NAME_explore` and `NAME_float32_explore` (the table's run from
`compare_explore`, `compare_float32_explore`). Separate
runs join a run only where they were measured on its CPU.
"""

import os

from _format import goal_text
from _format import load
from _format import pct
from _format import source
from _format import table

# Recipe -> the result of its separate run, when it has one (replacing its compare.json row).
SEPARATE_RUNS = {"fashion_mnist_best": "compare_best"}
# The recipe-overhead A/B's own run (`compare.py --only-overhead`) on the table's CPU, when
# it has one; each other CPU run NAME takes its own from NAME_overhead.json.
OVERHEAD_RUN = "compare_overhead"
# The same comparison on the other kernels: TensorFlow's own (oneDNN off), from before
# `import kerasrecipes` turned oneDNN's on; shown beside the table's run when it exists.
OTHER_KERNELS_RUN = "compare_onednn_off"
# The whole comparison, one run per kind of CPU (`compare.py --result <name>` run there):
# AMD EPYC with AVX2, Intel Xeon with AVX-512, Intel Xeon with AMX.
CPU_RUNS = ("compare", "compare_avx512", "compare_amx")
LABELS = {
    "keras_io_convnet": "keras.io simple convnet (Adam, batch 128)",
    "fashion_mnist_fast": "`fashion_mnist_fast`",
    "fashion_mnist_vgg": "`fashion_mnist_vgg` (default)",
    "fashion_mnist_best": "`fashion_mnist_best`",
}


def _mean(run, key):
    """`run[key]`, or its mean over `run["runs"]` where the row sums repeated runs."""
    if "runs" in run:
        return sum(r[key] for r in run["runs"]) / len(run["runs"])
    return run[key]


def _row(name, run, note=""):
    if "test_accuracy_mean" in run:
        if "pairs" in run:
            count = f"{run['pairs']} runs"
        else:
            count = f"{len(run['seeds'])} seed{'s' if len(run['seeds']) > 1 else ''}"
        accuracy = (f"{pct(run['test_accuracy_mean'])} ± {100 * run['test_accuracy_std']:.2f} "
                    f"({count})")
        wall, speed = run["wall_s_mean"], run["images_per_s_mean"]
    else:
        accuracy, wall, speed = pct(run["test_accuracy"]), run["wall_s"], run["images_per_s"]
    if run.get("tta"):
        accuracy += f", {run['tta']} TTA"
    settings = f"{run['precision']}, XLA {'on' if run['jit_compile'] else 'off'}"
    ratio = f"{run['wall_ratio']:.2f}×"
    if "median_wall_ratio" in run:
        ratio += f" ({run['median_wall_ratio']:.2f}×)"
    return [LABELS.get(name, name) + note, f"{run['params']:,}", run["epochs"], settings,
            f"{wall:.1f}", ratio, f"{speed:,.0f}",
            f"{run['train_gflops_per_s']:.1f} ({100 * run['fraction_of_peak']:.0f} %)",
            accuracy, goal_text(run["goal"]) if "goal" in run else "—"]


def _tta_text(row, subject="Its"):
    """' Its accuracy averages ... one forward pass: 94.50 %.' for a row scored with TTA."""
    if not row.get("tta"):
        return ""
    plain = row.get("test_accuracy_without_tta_mean", row.get("test_accuracy_without_tta"))
    return (f" {subject} test accuracy averages the probabilities over the `{row['tta']}` "
            f"test-time views of each image (the recipe's `tta`, which its exported SavedModel serves too); "
            f"with one forward pass: {pct(plain)}.")


def _pairs_text(result):
    """How the interleaved pairs went, one sentence, and the keras.io runs beside
    `fashion_mnist_best`'s seeds where it ran after the pairs; "" for a run of one pair
    without the best recipe."""
    models = result["models"]
    text = ""
    if "keras_io_runs" in models.get("fashion_mnist_best", {}):
        text = f" `fashion_mnist_best` ran last, against {_own_keras_io_text(result)}."
    pairs = models["keras_io_convnet"].get("pairs", 1)
    if pairs == 1:
        return text
    walls = ", ".join(f"{run['wall_s']:.1f} s" for run in models["keras_io_convnet"]["runs"])
    parts = [f"{LABELS.get(name, name)} {', '.join(f'{r:.2f}×' for r in model['wall_ratios'])}"
             for name, model in models.items() if "wall_ratios" in model]
    return (f" keras.io and the recipes beside it ran {pairs} times, interleaved (keras.io, "
            f"recipes, keras.io, recipes; `--pairs {pairs}`): keras.io took {walls}; each "
            f"ratio is taken within its pair, then averaged: " + "; ".join(parts) + "."
            + text)


def _own_keras_io_text(run):
    """The keras.io runs `fashion_mnist_best`'s ratios in `run` are taken against: "its own
    keras.io run (217.8 s, 90.12 %)", or where each seed ran right after a keras.io run of
    its own (`compare.best_run`), "its own keras.io runs, one right before each seed
    (232.0 s, 210.4 s, 221.9 s; 90.12 %), each seed's ratios taken within its pair"."""
    baseline = run["models"]["keras_io_convnet"]
    best = run["models"].get("fashion_mnist_best", {})
    runs = best.get("keras_io_runs") or baseline.get("runs") or [baseline]
    accuracy = pct(sum(r["test_accuracy"] for r in runs) / len(runs))
    if len(runs) == 1:
        return f"its own keras.io run ({runs[0]['wall_s']:.1f} s, {accuracy})"
    walls = ", ".join(f"{r['wall_s']:.1f} s" for r in runs)
    return (f"its own keras.io runs, one right before each seed ({walls}; {accuracy}), each "
            "seed's ratios taken within its pair")


def _cpu_text(result):
    """' By CPU-seconds ...: A 2.71×, B 0.80×.' for the models of `result` that record
    `cpu_ratio`; "" for runs from before it was recorded."""
    parts = [f"{LABELS.get(name, name)} {model['cpu_ratio']:.2f}×"
             for name, model in result["models"].items() if "cpu_ratio" in model]
    if not parts:
        return ""
    return (" By the process's CPU-seconds over the epochs, which time the hypervisor gives "
            "other guests (steal) does not add to (recorded; the goals are on wall time): "
            + ", ".join(parts) + " keras.io's.")


def _speedup(table_row, other):
    """' (the table's run: 1.52× its speed, 1.35× by median epochs)': one model, two runs."""
    return (f" (the table's run: {other['wall_s'] / _mean(table_row, 'wall_s'):.2f}× its speed, "
            f"{other['median_epoch_s'] / _mean(table_row, 'median_epoch_s'):.2f}× by median "
            "epochs)")


def _kernels(run):
    """How `run` set oneDNN's kernels, as its provenance records the environment."""
    value = (run.get("provenance", {}).get("environment") or {}).get("TF_ENABLE_ONEDNN_OPTS")
    if value is None:
        return ("`TF_ENABLE_ONEDNN_OPTS` unset, which TensorFlow takes as oneDNN's kernels "
                "off on CPUs without AVX-512 such as this AMD EPYC")
    return f"`TF_ENABLE_ONEDNN_OPTS={value}`"


def _load_if_exists(results_dir, name):
    """The parsed `<name>.json` of a separate run, or None where it has not been run."""
    if not os.path.exists(os.path.join(results_dir, name + ".json")):
        return None
    return load(results_dir, name)


def _flop_goal_text(goal):
    """'53 % of the peak of its precision (goal ≥ 40 %: met)'."""
    return (f"{100 * goal['fraction']:.0f} % of the peak of its precision (goal ≥ "
            f"{100 * goal['at_least']:.0f} %: {'met' if goal['met'] else 'missed'})")


def _model_parts(run, table=None):
    """Each model of `run`, one clause: wall time, ratio, accuracy, goal; and, when `table`
    (the table's run on the same machine) is given, the speed-up between the two."""
    parts = []
    for name, model in run["models"].items():
        text = f"{LABELS.get(name, name)} {_mean(model, 'wall_s'):.1f} s"
        if name != "keras_io_convnet":
            text += f", {model['wall_ratio']:.2f}×"
            if "median_wall_ratio" in model:
                text += f" ({model['median_wall_ratio']:.2f}× by median epochs)"
            text += " keras.io"
        text += f", {pct(model.get('test_accuracy_mean', model['test_accuracy']))}"
        if table is not None and name in table:
            text += _speedup(table[name], model)
        if "goal" in model:
            text += f", goal {goal_text(model['goal'])}"
        parts.append(text)
    return parts


def _cpu_model(run):
    return run["provenance"]["cpu"]["model"]


def _other_kernels_text(results_dir, result):
    """The run on the other kernels, one paragraph; "" when there is no such run."""
    run = _load_if_exists(results_dir, OTHER_KERNELS_RUN)
    if run is None:
        return ""
    # Speed-ups against the table's run only where both ran on the same kind of CPU.
    same_cpu = _cpu_model(run) == _cpu_model(result)
    parts = _model_parts(run, result["models"] if same_cpu else None)
    return (f"\nThe same comparison on TensorFlow's own kernels ({_kernels(run)}; "
            f"`import kerasrecipes` now sets it to 1 before TensorFlow loads, and the table's "
            f"run has {_kernels(result)}), `benchmarks/results/{OTHER_KERNELS_RUN}.json`: "
            + "; ".join(parts) + f". {source(run)}\n")


def table_run(results_dir):
    """The name of the run the table shows: the first current one in `CPU_RUNS`."""
    runs = [name for name in CPU_RUNS if os.path.exists(os.path.join(results_dir, name + ".json"))]
    current = [name for name in runs if "historical" not in load(results_dir, name)]
    return (current or runs)[0]


def _precision_text(run):
    """' Precision forced to float32 (`--precision`).', or for a run with each recipe's own
    `precision="auto"`, what it resolved to on that CPU."""
    if run.get("forced_precision"):
        return f" Precision forced to {run['forced_precision']} (`--precision`)."
    resolved = sorted({model["precision"] for name, model in run["models"].items()
                       if name != "keras_io_convnet"})
    return (" The recipes ran at their own `precision=\"auto\"`, which resolved to "
            + " and ".join(f"`{p}`" for p in resolved) + " on this CPU (keras.io's model in "
            f"`{run['models']['keras_io_convnet']['precision']}`, as written).")


def _overhead_text(overhead_run, file, run):
    """' Recipe overhead: ...' from `overhead_run` (its own run, `file`.json) where there is
    one, else from `run` itself; "" where neither measured it."""
    overhead_run = overhead_run or run
    if "overhead" not in overhead_run:
        return ""
    over = overhead_run["overhead"]
    median = over["median_epoch_s"]
    text = (f" Recipe overhead: `recipe.fit()` runs at "
            f"{over['images_per_s_ratio_recipe_over_hand_written']:.3f}× the images/s of a "
            f"hand-written `model.fit()` of the same model, optimizer and pipeline (median "
            f"epoch {median['recipe']:.2f} s vs {median['hand_written']:.2f} s on "
            f"{over['train_images']:,} images, {over['repeats']} interleaved repeat(s); goal "
            f"≥ {over['goal_at_least']:g}×: {'met' if over['met'] else 'missed'})")
    if "images_per_cpu_s_ratio_recipe_over_hand_written" in over:
        text += (f"; per CPU-second, which the host's load leaves alone, "
                 f"{over['images_per_cpu_s_ratio_recipe_over_hand_written']:.3f}×")
    text += "."
    if overhead_run is not run:
        text += f" (From its own run, `benchmarks/results/{file}.json`: {source(overhead_run)})"
    return text


def _same_cpu_run(results_dir, name, run):
    """The parsed `<name>.json` where it exists and was measured on `run`'s CPU, else None."""
    other = _load_if_exists(results_dir, name)
    return other if other is not None and _cpu_model(other) == _cpu_model(run) else None


def _other_cpus_text(results_dir, shown):
    """The same comparison on each other CPU (`CPU_RUNS` but `shown`), a paragraph each."""
    text = ""
    for name in CPU_RUNS:
        if name == shown:
            continue
        run = _load_if_exists(results_dir, name)
        if run is None:
            continue
        cpu = run["provenance"]["cpu"]
        amx = "with" if "amx_bf16" in cpu.get("flags", []) else "without"
        best_file = f"{name}_best"  # `compare.py --only-best` run there
        # (compare_best is the table's row, footnoted there: not repeated here.)
        best = (None if best_file in SEPARATE_RUNS.values()
                else _same_cpu_run(results_dir, best_file, run))
        if best is not None and "fashion_mnist_best" not in best["models"]:
            best = None
        models = dict(run["models"])
        if best is not None:
            models["fashion_mnist_best"] = best["models"]["fashion_mnist_best"]
        text += (f"\nThe same comparison on another CPU, {cpu['model']} ({amx} AMX), "
                 f"`benchmarks/results/{name}.json`: "
                 + "; ".join(_model_parts(dict(run, models=models))) + ".")
        if best is not None:
            text += (f" `fashion_mnist_best` from its own run, `benchmarks/results/"
                     f"{best_file}.json`, against {_own_keras_io_text(best)}."
                     + _tta_text(models["fashion_mnist_best"]) + f" {source(best)}")
        peaks = run["matmul_peak"]
        text += f" Its matmul peak: {_peaks_text(peaks)}"
        if run.get("flop_fraction_goal"):
            text += f"; the default model reaches {_flop_goal_text(run['flop_fraction_goal'])}"
        text += "."
        overhead_file = f"{name}_overhead"  # `compare.py --only-overhead` run there
        text += _overhead_text(_same_cpu_run(results_dir, overhead_file, run), overhead_file, run)
        text += _precision_text(run) + _pairs_text(run) + _cpu_text(run) + f" {source(run)}\n"
        text += _explore_texts(results_dir, name, run)
    return text


def _peaks_text(peaks):
    """"218 GFLOP/s in float32, 583 in bfloat16" and, where the run measured the peaks at
    its start and end (`flops.best_peaks`), that each is the faster, and the slower ones."""
    text = (f"{peaks['float32']['flops_per_s'] / 1e9:.0f} GFLOP/s in float32, "
            f"{peaks['bfloat16']['flops_per_s'] / 1e9:.0f} in bfloat16")
    if "flops_per_s_runs" in peaks["float32"]:
        slower = " and ".join(f"{min(peaks[dtype]['flops_per_s_runs']) / 1e9:.0f}"
                              for dtype in ("float32", "bfloat16"))
        text += f", each the faster of the run's start and end, where the slower gave {slower}"
    return text


def _explore_texts(results_dir, name, run):
    """The settings tables of run `name`'s CPU: `NAME_explore` (else `run`'s own
    `--explore`) and, where measured, `NAME_float32_explore`: the float32 path forced
    (`--precision float32`) on a CPU where `precision="auto"` picks bfloat16."""
    text = ""
    for file in (f"{name}_explore", f"{name}_float32_explore"):
        found = _same_cpu_run(results_dir, file, run)
        if found is not None or file == f"{name}_explore":
            text += _explore_text(found, file, run)
    return text


def _explore_text(explore_run, file, run):
    """The default model's settings table (`compare.py --explore`) from `explore_run` (its
    own run, `file`.json) where there is one, else from `run` itself; "" where neither has
    one."""
    explore_run = explore_run or run
    if "explore" not in explore_run:
        return ""
    found = explore_run["explore"]
    rows = []
    for row in found["rows"]:
        rate = (f"{row['train_gflops_per_s']:.0f} ({100 * row['fraction_of_peak']:.0f} % of "
                f"{row['peak_dtype']})")
        rows.append([row["setting"], row["value"], f"{row['images_per_s']:,.0f}", rate,
                     f"{row['peak_rss_mb']:,.0f}"])
    repeats = found["repeats"]
    peaks = explore_run["matmul_peak"]
    forced = (f", forced with `--precision {explore_run['forced_precision']}`"
              if explore_run.get("forced_precision") else "")
    text = (f"\nDefault model (`{found['model']}`, `{found['precision']}`{forced}, batch "
            f"{found['batch_size']}), training images/s on random images, one setting changed "
            "at a time"
            + (f", the median of {repeats} interleaved repeats" if repeats > 1 else "")
            + f", against the matmul peaks measured in the same run ({_peaks_text(peaks)}); "
            "recorded, not used to tune the recipes:\n\n"
            + table(["setting", "value", "images/s", "train GFLOP/s (% of peak)", "peak MB"], rows))
    if explore_run is not run:
        text += f"\nFrom its own run, `benchmarks/results/{file}.json`: {source(explore_run)}\n"
    return text


def render(results_dir):
    shown = table_run(results_dir)
    result = load(results_dir, shown)
    separate = {}
    for name, file in SEPARATE_RUNS.items():
        run = _load_if_exists(results_dir, file)
        if run is not None and name in run["models"]:
            separate[name] = run
    marks = {name: "¹²³"[i] for i, name in enumerate(separate)}  # footnote marks
    text = ""
    if result.get("quick"):
        text += ("**Quick run** (smoke settings: a few hundred images, 1 epoch; its numbers "
                 "measure nothing): the full `python benchmarks/compare.py` run replaces it.\n\n")
    models = {**result["models"],
              **{name: run["models"][name] for name, run in separate.items()}}
    rows = [_row(name, models[name], f" {marks[name]}" if name in marks else "")
            for name in LABELS if name in models]
    text += table(["model", "params", "epochs", "precision", "wall s",
                   "× keras.io (by median epochs)", "images/s", "train GFLOP/s (% of peak)",
                   "test accuracy", "goal"], rows)
    peaks = result["matmul_peak"]
    text += (f"\nMatmul peak of this CPU: {_peaks_text(peaks)} "
             f"({peaks['float32']['size']}² products, best of several); training FLOPs are "
             "the conv and dense multiply-adds × 2 × 3, over the wall time of `fit()`.")
    flop_goal = separate.get("fashion_mnist_vgg", result).get("flop_fraction_goal")
    if flop_goal:
        text += f" The default model reaches {_flop_goal_text(flop_goal)}."
    text += _overhead_text(_same_cpu_run(results_dir, OVERHEAD_RUN, result), OVERHEAD_RUN, result)
    text += _precision_text(result)
    text += "".join(_tta_text(model, f"{LABELS.get(name, name)}'s")
                    for name, model in result["models"].items())
    text += _pairs_text(result) + _cpu_text(result)
    skipped = [name for name in result.get("skipped", []) if name in LABELS
               and name not in separate]
    if skipped and not result.get("quick"):
        text += (" Not in this run (`--skip`): " + ", ".join(f"`{name}`" for name in skipped)
                 + ".")
    text += "\n"
    text += _explore_texts(results_dir, shown, result)
    text += _other_kernels_text(results_dir, result)
    text += _other_cpus_text(results_dir, shown)
    for name, run in separate.items():
        kernels = "" if _kernels(run) == _kernels(result) else f" Its kernels: {_kernels(run)}."
        text += (f"\n{marks[name]} From a separate run (`benchmarks/results/"
                 f"{SEPARATE_RUNS[name]}.json`) against {_own_keras_io_text(run)}.{kernels}"
                 f"{_tta_text(run['models'][name])} {source(run)}\n")
    text += f"\nThe table: `benchmarks/results/{shown}.json`. " + source(result) + "\n"
    return text
