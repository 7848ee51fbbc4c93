"""The recipes against plain Keras, side by side in one process, on the full Fashion-MNIST.

Trains the keras.io "simple MNIST convnet" (verbatim: Adam, batch 128, 15 epochs) and the
recipes `fashion_mnist_vgg`, `fashion_mnist_fast` and `fashion_mnist_best` (`--best-seeds`
seeds), one after the other on the same machine, and reports for each: test accuracy,
wall time of `fit()` (validation included), images/s, the resolved precision and XLA
setting, the wall-time ratio to keras.io (of the totals, and of the median epochs, which
another process on a shared machine slowing a few epochs does not move), the ratio of
the process's CPU-seconds (`cpu_ratio`, which a hypervisor's steal does not move either;
recorded, not judged) and each goal met or missed by how much (a time goal is met only
where both wall-time ratios are within it):

| recipe | goal |
| --- | --- |
| `fashion_mnist_fast` | test accuracy above keras.io's in at most 1.0x its wall time |
| `fashion_mnist_vgg` | at least 93.5 % in at most 3x |
| `fashion_mnist_best` | at least 95.0 % (mean of the seeds) in at most 10x (mean wall time) |

Where the time goes: the CPU's matmul peak in float32 and bfloat16 is measured in the same
run (`flops.matmul_peak`, at its start and end, the faster kept), each model's training
FLOPs per image are counted from its layers (`flops.forward_macs`, x 2 x 3), and its
training FLOP/s is given as a fraction of the peak of its precision (goal: at least 40 %
for the default model). `--explore` adds default-model images/s and their fraction of that
peak at batch 64/128/256/512, 1 vs 2 intra-op threads, oneDNN on/off, float32 vs bfloat16,
XLA on/off and channels-first vs channels-last maps, each in a fresh process on random
images (`settings_probe.py`, `throughput.py`): recorded, not used to tune the recipes.
`--only-explore` runs the peaks and that alone (`--result NAME_explore` beside a run NAME
of the README's table, `NAME_float32_explore` with `--precision float32` where auto picks
bfloat16); `--explore-repeats N` measures each setting N times in interleaved rounds
(median).

`--pairs N` runs keras.io and the recipes beside it N times, interleaved (keras.io, recipes,
keras.io, recipes, ...), takes each ratio within its pair and reports their mean, so that a
slow spell of a shared host falls on both halves of a pair. `fashion_mnist_best`, sized by
seeds, runs after the pairs, each seed right after a keras.io run of its own (keras.io,
seed 0, keras.io, seed 1, ...), and its ratios are taken within those pairs. With
`--seed-per-pair` pair k trains the recipes with seed k (`--first-seed S`: seed S + k, to
add seeds to an earlier run's): one accuracy per seed, for a candidate whose accuracy is
too close to its goal to judge from one seed.

Recipe overhead: `recipe.fit()` against a hand-written `model.fit()` of the same model,
optimizer, schedule and pipeline, a fresh model and optimizer each, interleaved A, B, A, B
on a subset; the median time of the epochs after the first (goal: at least 0.98x the
hand-written images/s).

    python benchmarks/compare.py --precision float32                  # everything (long)
    python benchmarks/compare.py --precision float32 --skip fashion_mnist_best
    python benchmarks/compare.py --precision float32 --pairs 2 --skip fashion_mnist_best \
        --skip overhead                      # a ratio near its goal, repeated A, B, A, B
    python benchmarks/compare.py --precision float32 --only-best --result compare_best
    python benchmarks/compare.py --precision float32 --only-overhead --overhead-repeats 5 \
        --result compare_overhead
    python benchmarks/compare.py --precision float32 --pairs 2 --skip fashion_mnist_best \
        --skip overhead --result compare_avx512   # on an Intel CPU with AVX-512, no AMX
    python benchmarks/compare.py --only-explore --explore-repeats 3 \
        --result compare_amx_explore         # where the default model's time goes there
    python benchmarks/compare.py --quick                              # smoke run, seconds
    python benchmarks/compare.py --precision float32 --skip fashion_mnist_best \
        --skip fashion_mnist_fast --skip overhead --set width=0.75 --result candidate_vgg
    python benchmarks/compare.py --precision float32 --skip fashion_mnist_best \
        --skip fashion_mnist_fast --skip overhead --set epochs=11 --pairs 3 \
        --seed-per-pair --result candidate_vgg   # a candidate over seeds 0, 1, 2

Writes `benchmarks/results/<--result>.json` (default `compare`); `--quick` results are
marked `"quick": true`. The README table takes `fashion_mnist_best`'s row from its separate run
(`compare_best`) where one exists, and gives a paragraph to each run on another kind of
CPU (`compare_avx512`). The scaling curve is `benchmarks/scaling.py`.
"""

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import kerasrecipes as kr  # noqa: E402  (first: turns on oneDNN's kernels before TensorFlow)

import keras  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import baselines  # noqa: E402
import flops  # noqa: E402
import settings_probe  # noqa: E402
from provenance import recipe_config  # noqa: E402
from provenance import write_result  # noqa: E402

BASELINE = "keras_io_convnet"
RECIPES = ("fashion_mnist_vgg", "fashion_mnist_fast", "fashion_mnist_best")
# The goals: accuracy (or "above keras.io") and the largest wall-time ratio.
GOALS = {
    "fashion_mnist_fast": {"accuracy_above_baseline": True, "wall_ratio_at_most": 1.0},
    "fashion_mnist_vgg": {"accuracy_at_least": 0.935, "wall_ratio_at_most": 3.0},
    "fashion_mnist_best": {"accuracy_at_least": 0.95, "wall_ratio_at_most": 10.0},
}
FLOP_FRACTION_GOAL = {"model": "fashion_mnist_vgg", "at_least": 0.40}
OVERHEAD_GOAL = 0.98
# --quick: a smoke run whose numbers mean nothing; width 0.25 keeps its first steps cheap,
# and the recipes validate on 1 % of the training set (600 images), not 10 % (6,000).
QUICK = {"train_samples": 320, "test_samples": 500, "epochs": 1, "batch_size": 64, "width": 0.25,
         "validation_split": 0.01}


def goal_verdict(name, accuracy, ratio, baseline_accuracy, median_ratio=None):
    """Returns whether recipe `name` met its goal, and by how much.

    The time goal holds only where both ratios are within it: the total, and the one
    from median epochs (`median_wall_ratio`), which another process slowing a few epochs
    of one run does not move. A shared machine then cannot make a goal look met.

    Args:
        name: a key of `GOALS`.
        accuracy: float, its test accuracy (the mean over seeds for `best`).
        ratio: float, its wall time over keras.io's.
        baseline_accuracy: float, keras.io's test accuracy.
        median_ratio: optional float, `median_wall_ratio`.

    Returns:
        A dict: the goal, `accuracy_target`, `accuracy_margin_points` (accuracy minus the
        target, in points; for "above keras.io" it must be > 0), `wall_ratio_margin`
        (the allowed ratio minus the larger of the two ratios; >= 0 is within),
        `accuracy_met`, `time_met` and `met`.
    """
    goal = GOALS[name]
    if goal.get("accuracy_above_baseline"):
        target, accuracy_met = baseline_accuracy, accuracy > baseline_accuracy
    else:
        target = goal["accuracy_at_least"]
        accuracy_met = accuracy >= target
    worst = ratio if median_ratio is None else max(ratio, median_ratio)
    time_met = worst <= goal["wall_ratio_at_most"]
    return {
        **goal,
        "accuracy_target": target,
        "accuracy_margin_points": round(100 * (accuracy - target), 2),
        "wall_ratio_margin": round(goal["wall_ratio_at_most"] - worst, 2),
        "accuracy_met": bool(accuracy_met),
        "time_met": bool(time_met),
        "met": bool(accuracy_met and time_met),
    }


def measure_peaks(args):
    """The float32 and bfloat16 matmul peaks (`flops.matmul_peak`; small in a quick run)."""
    size = {"size": 256, "repeats": 2} if args.quick else {}
    peaks = {dtype: flops.matmul_peak(dtype, **size) for dtype in ("float32", "bfloat16")}
    print(peaks, flush=True)
    return peaks


def rate_at_end(args, start_peaks, node):
    """Measures the peaks again at the run's end, rates every row in `node` against the
    faster of the two readings (`flops.best_peaks`, `flops.rerate`) and returns those."""
    peaks = flops.best_peaks(start_peaks, measure_peaks(args))
    flops.rerate(node, peaks)
    return peaks


def with_flops(row, model, peaks):
    """Adds FLOP counts and the fraction of the matching-precision matmul peak to `row`."""
    per_image = flops.training_flops_per_image(model)
    row.update(forward_macs=flops.forward_macs(model), train_flops_per_image=per_image,
               **flops.rate(row["images_per_s"], per_image, row["precision"], peaks))
    return row


def median_wall_ratio(row, baseline):
    """The wall-time ratio had every epoch of both runs taken its run's median time."""
    return round(row["median_epoch_s"] * row["epochs"]
                 / (baseline["median_epoch_s"] * baseline["epochs"]), 2)


def recipe_overrides(args, **more):
    """The config overrides of every recipe run: `--precision`, `--quick`'s, then `more`."""
    overrides = {}
    if args.precision:
        overrides["precision"] = args.precision
    if args.quick:
        overrides.update({k: v for k, v in QUICK.items() if k != "test_samples"})
    return {**overrides, **dict(item.split("=", 1) for item in args.set), **more}


def hand_written_fit(config, epochs, timer):
    """What a user would write with the same parts: `model.fit()` on the recipe's model,
    optimizer, schedule, loss and pipeline, without the recipe object or its callbacks."""
    keras.utils.set_random_seed(config.seed)
    source = kr.data.source(config.data, validation_split=config.validation_split,
                            seed=config.seed, train_samples=config.train_samples)
    policy = kr.training.precision.resolve(config.precision)
    with kr.training.precision.policy_scope(policy):
        width = {} if config.width is None else {"width": config.width}  # None: the preset's
        model = kr.models.get(config.model, input_shape=source.input_shape,
                              classes=source.classes, **width)
        schedule = kr.training.schedules.get(
            config.schedule, config.learning_rate,
            steps_per_epoch=-(-source.num_train // config.batch_size), epochs=config.epochs,
            warmup_epochs=config.warmup_epochs)
        optimizer = kr.training.optimizers.get(config.optimizer, learning_rate=schedule,
                                               momentum=config.momentum)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"],
                  jit_compile=kr.training.precision.resolve_jit_compile(config.jit_compile))
    augment = kr.layers.augmentation.augmentation_policy(
        config.augment, seed=config.seed, input_shape=source.input_shape)
    train = kr.data.pipeline(*source.train, config.batch_size, training=True, augment=augment,
                             seed=config.seed, classes=source.classes)
    val = kr.data.pipeline(*source.val, max(config.batch_size, 512))
    model.fit(train, validation_data=val, epochs=epochs, callbacks=[timer], verbose=0,
              shuffle=False)  # the pipeline reshuffles every epoch, as in the recipe
    return model


def recipe_overhead(args):
    """`recipe.fit()` (A) vs a hand-written `model.fit()` (B), interleaved A, B, A, B."""
    # Quick: one epoch each, kept whole (tracing included) to keep the smoke run short.
    repeats, epochs = (1, 1) if args.quick else (args.overhead_repeats, 2)
    untimed = 1 if epochs > 1 else 0
    samples = QUICK["train_samples"] if args.quick else args.overhead_samples
    overrides = recipe_overrides(args, train_samples=samples, epochs=epochs)
    times = {"recipe": [], "hand_written": []}
    cpu = {"recipe": [], "hand_written": []}
    params = {}
    for _ in range(repeats):
        timer = baselines.EpochTimer()
        recipe = kr.recipes.get("fashion_mnist_vgg")(**overrides)
        recipe.fit(verbose=0, callbacks=[timer])
        times["recipe"] += timer.times[untimed:]  # the first epoch traces the graphs
        cpu["recipe"] += timer.cpu_times[untimed:]
        timer = baselines.EpochTimer()
        model = hand_written_fit(recipe.config, epochs, timer)
        times["hand_written"] += timer.times[untimed:]
        cpu["hand_written"] += timer.cpu_times[untimed:]
        params = {"recipe": recipe.model.count_params(), "hand_written": model.count_params()}
    median = {k: statistics.median(v) for k, v in times.items()}
    median_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    # images/s of A over images/s of B, judged as recorded so the goal and the figure agree
    ratio = round(median["hand_written"] / median["recipe"], 3)
    return {
        "recipe": "fashion_mnist_vgg",
        "train_images": recipe.source.num_train,
        "params": params,
        "epochs_per_repeat": epochs,
        "epochs_timed": "all" if untimed == 0 else "all but the first (tracing)",
        "repeats": repeats,
        "order": "recipe, hand-written, recipe, hand-written, ... (a fresh model and optimizer each)",
        "epoch_s": {k: [round(t, 3) for t in v] for k, v in times.items()},
        "median_epoch_s": {k: round(v, 3) for k, v in median.items()},
        "epoch_cpu_s": {k: [round(t, 3) for t in v] for k, v in cpu.items()},
        "median_epoch_cpu_s": {k: round(v, 3) for k, v in median_cpu.items()},
        "images_per_s_ratio_recipe_over_hand_written": ratio,
        # Images per CPU-second: the same comparison without the host's wall-clock noise.
        "images_per_cpu_s_ratio_recipe_over_hand_written": round(
            median_cpu["hand_written"] / median_cpu["recipe"], 3),
        "goal_at_least": OVERHEAD_GOAL,
        "met": ratio >= OVERHEAD_GOAL,
        "config": recipe_config(recipe, overrides),
    }


def explore(args, peaks):
    """The default model's settings probe (`settings_probe.probe`) for these arguments."""
    config = kr.recipes.config("fashion_mnist_vgg", **explore_overrides(args))
    return settings_probe.probe(config, peaks, repeats=args.explore_repeats, quick=args.quick)


def explore_overrides(args):
    """The default recipe's config keys that `explore` sets: its model's width in a quick
    run, the precision where forced."""
    overrides = {"width": QUICK["width"]} if args.quick else {}
    if args.precision:
        overrides["precision"] = args.precision
    return overrides


def cpu_ratio(row, baseline):
    """The ratio of the process's CPU-seconds over the epochs (`cpu_s`), or None where
    either run lacks them (rows recorded before `cpu_s` was).

    Recorded beside the wall-time ratios, which the goals are on: where a hypervisor
    gives a share of the host's CPU to other guests (steal) both wall ratios move, this one
    does not, so it tells a slow host from a slow recipe.
    """
    if "cpu_s" not in row or "cpu_s" not in baseline:
        return None
    return round(row["cpu_s"] / baseline["cpu_s"], 2)


def ratios(row, baseline):
    """A run's ratios to a keras.io run: what every program here records beside a row.

    Args:
        row: a run row (`wall_s`, `median_epoch_s`, `epochs`, and `cpu_s` where recorded).
        baseline: the keras.io run row it is compared with.

    Returns:
        A dict: `wall_ratio` (the totals'), `median_wall_ratio` (`median_wall_ratio()`:
        the median epoch times the epochs) and, where both rows record `cpu_s`,
        `cpu_ratio`; each rounded to 2 places.
    """
    result = {"wall_ratio": round(row["wall_s"] / baseline["wall_s"], 2),
              "median_wall_ratio": median_wall_ratio(row, baseline)}
    cpu = cpu_ratio(row, baseline)
    if cpu is not None:
        result["cpu_ratio"] = cpu
    return result


def recipe_run(name, overrides, baseline, peaks, test_samples, verbose):
    """One timed run of recipe `name`, with FLOPs and its ratios to `baseline`."""
    row = baselines.run_recipe(name, overrides, test_samples=test_samples, verbose=verbose)
    row = with_flops(row, row.pop("keras_model"), peaks)
    row.update(ratios(row, baseline))
    print({k: v for k, v in row.items() if k != "config"}, flush=True)
    return row


def keras_io_run(args, epochs, test_samples, verbose, peaks):
    """One timed run of the keras.io convnet, with its FLOPs."""
    row = baselines.run_baseline(
        epochs, train_samples=QUICK["train_samples"] if args.quick else None,
        test_samples=test_samples, verbose=verbose)
    row = with_flops(row, row.pop("keras_model"), peaks)
    print(row, flush=True)
    return row


def best_run(args, epochs, peaks, test_samples, verbose):
    """`fashion_mnist_best` over `--best-seeds` seeds, each right after its own keras.io run.

    keras.io, seed 0, keras.io, seed 1, ...: a seed trains for ten times keras.io's time
    or so, long enough for the shared host's speed to change between the run's start and
    its end, so each seed is compared with the keras.io run beside it, as `--pairs` does
    for the other recipes, rather than with one keras.io run at the start.

    Returns:
        `(row, baseline_runs)`: the row (the first seed's fields, `runs`, the means over
        the seeds, `wall_ratios_per_seed`, the ratios as means over the pairs, and the
        goal) and keras.io's runs, in order.
    """
    name = "fashion_mnist_best"
    baseline_runs, runs = [], []
    for seed in range(args.best_seeds):
        baseline_runs.append(keras_io_run(args, epochs, test_samples, verbose, peaks))
        runs.append(recipe_run(name, recipe_overrides(args, seed=seed), baseline_runs[-1],
                               peaks, test_samples, verbose))
    row = dict(runs[0], runs=runs, **summarise_seeds(runs))
    seed_ratios = pair_ratios(runs, baseline_runs)
    row["wall_ratios_per_seed"] = [round(ratio, 3) for ratio in seed_ratios]
    row["wall_ratio"] = round(statistics.mean(seed_ratios), 2)
    row["median_wall_ratio"] = round(statistics.mean(r["median_wall_ratio"] for r in runs), 2)
    if all("cpu_ratio" in r for r in runs):
        row["cpu_ratio"] = round(statistics.mean(r["cpu_ratio"] for r in runs), 2)
    baseline_accuracy = statistics.mean(run["test_accuracy"] for run in baseline_runs)
    row["goal"] = goal_verdict(name, row["test_accuracy_mean"], statistics.mean(seed_ratios),
                               baseline_accuracy, row["median_wall_ratio"])
    return row, baseline_runs


def pair_ratios(runs, baseline_runs):
    """Each run's wall time over that of the keras.io run of its pair."""
    return [run["wall_s"] / base["wall_s"] for run, base in zip(runs, baseline_runs)]


def summarise_pairs(runs, baseline_runs=None):
    """One row from a model's runs, each timed right after its own keras.io run (`--pairs`).

    With one pair the row is that run. With more, the first run's fields stay (params,
    precision) and the row adds `runs` and the means: test accuracy (and the one-pass
    accuracy where the recipe averages test-time views), wall time, images/s, FLOP/s, and
    the ratios (the CPU-seconds' too, where recorded), each taken within its pair before
    averaging, so that a slow spell of the shared host lands on both halves of a pair
    rather than on one side of the comparison.
    Runs of different seeds (`--seed-per-pair`) add `seeds`, and their accuracy mean and
    std are then over seeds.

    Args:
        runs: the model's run rows, in pair order.
        baseline_runs: keras.io's run rows, in pair order; None when `runs` are keras.io's.
    """
    row = dict(runs[0])
    if baseline_runs is None:
        row["wall_ratio"] = 1.0
    if len(runs) == 1:
        return row
    accuracies = [run["test_accuracy"] for run in runs]
    row.update(
        runs=runs,
        pairs=len(runs),
        test_accuracy_mean=round(statistics.mean(accuracies), 4),
        test_accuracy_std=round(statistics.stdev(accuracies), 4),
        wall_s_mean=round(statistics.mean(run["wall_s"] for run in runs), 1),
        images_per_s_mean=round(statistics.mean(run["images_per_s"] for run in runs), 1),
        train_gflops_per_s=round(statistics.mean(run["train_gflops_per_s"] for run in runs), 2),
        fraction_of_peak=round(statistics.mean(run["fraction_of_peak"] for run in runs), 3),
    )
    if all("test_accuracy_without_tta" in run for run in runs):
        row["test_accuracy_without_tta_mean"] = round(statistics.mean(
            run["test_accuracy_without_tta"] for run in runs), 4)
    if all("evaluate_s" in run for run in runs):
        row["evaluate_s_mean"] = round(statistics.mean(run["evaluate_s"] for run in runs), 1)
    seeds = [run["config"]["seed"] for run in runs if "config" in run]
    if len(set(seeds)) > 1:
        row["seeds"] = seeds
    if baseline_runs is not None:
        ratios = pair_ratios(runs, baseline_runs)
        row["wall_ratios"] = [round(ratio, 3) for ratio in ratios]
        row["wall_ratio"] = round(statistics.mean(ratios), 2)
        row["median_wall_ratio"] = round(statistics.mean(
            median_wall_ratio(run, base) for run, base in zip(runs, baseline_runs)), 2)
        cpu = [cpu_ratio(run, base) for run, base in zip(runs, baseline_runs)]
        if None not in cpu:
            row["cpu_ratio"] = round(statistics.mean(cpu), 2)
    return row


def summarise_seeds(runs):
    accuracies = [r["test_accuracy"] for r in runs]
    walls = [r["wall_s"] for r in runs]
    return {
        "seeds": [r["config"]["seed"] for r in runs],
        "test_accuracy_mean": round(statistics.mean(accuracies), 4),
        "test_accuracy_std": round(statistics.stdev(accuracies), 4) if len(runs) > 1 else 0.0,
        "wall_s_mean": round(statistics.mean(walls), 1),
        "images_per_s_mean": round(statistics.mean(r["images_per_s"] for r in runs), 1),
        **({"test_accuracy_without_tta_mean": round(statistics.mean(
            r["test_accuracy_without_tta"] for r in runs), 4)}
           if all("test_accuracy_without_tta" in r for r in runs) else {}),
    }


def run(args):
    """Runs the comparison; returns `(result, configs, precisions)` for `write_result`."""
    if args.only_overhead:
        over = recipe_overhead(args)
        print(over, flush=True)
        return ({"quick": bool(args.quick), "forced_precision": args.precision,
                 "overhead": over}, {"overhead": over.pop("config")},
                {"overhead": kr.training.precision.resolve(args.precision or "auto")})
    test_samples = QUICK["test_samples"] if args.quick else None
    peaks = measure_peaks(args)  # rows are rated against these until the run's end
    if args.only_explore:
        found = explore(args, peaks)
        peaks = rate_at_end(args, peaks, found)
        return ({"quick": bool(args.quick), "forced_precision": args.precision,
                 "matmul_peak": peaks, "explore": found},
                {"explore": recipe_config("fashion_mnist_vgg", explore_overrides(args))},
                {"explore": found["precision"]})
    epochs = QUICK["epochs"] if args.quick else args.epochs_baseline
    verbose = 0 if args.quick else 2
    paired = [name for name in RECIPES if name not in args.skip and name != "fashion_mnist_best"]
    best = "fashion_mnist_best" not in args.skip
    # Without recipes beside it, keras.io runs only beside the best recipe's seeds.
    pairs = args.pairs if paired or not best else 0
    baseline_runs, paired_runs = [], {name: [] for name in paired}
    for _ in range(pairs):  # keras.io, then each recipe beside it: A, B, A, B, ...
        baseline_runs.append(keras_io_run(args, epochs, test_samples, verbose, peaks))
        seed = {"seed": args.first_seed + len(baseline_runs) - 1} if args.seed_per_pair else {}
        for name in paired:
            paired_runs[name].append(recipe_run(name, recipe_overrides(args, **seed),
                                                baseline_runs[-1], peaks, test_samples, verbose))
    models, configs, precisions = {}, {}, {}
    for name in paired:
        runs = paired_runs[name]
        row = summarise_pairs(runs, baseline_runs)
        accuracy = row.get("test_accuracy_mean", row["test_accuracy"])
        baseline_accuracy = statistics.mean(run["test_accuracy"] for run in baseline_runs)
        ratio = statistics.mean(pair_ratios(runs, baseline_runs))
        row["goal"] = goal_verdict(name, accuracy, ratio, baseline_accuracy,
                                   row["median_wall_ratio"])
        models[name] = row
        configs[name] = [r["config"] for r in runs] if "seeds" in row else runs[0]["config"]
        precisions[name] = row["precision"]
    if best:
        name = "fashion_mnist_best"
        row, best_baselines = best_run(args, epochs, peaks, test_samples, verbose)
        if baseline_runs:  # keras.io's row is the pairs'; the best keeps its own runs
            row["keras_io_runs"] = [{key: run[key] for key in (
                "wall_s", "median_epoch_s", "test_accuracy", "cpu_s") if key in run}
                for run in best_baselines]
        else:
            baseline_runs = best_baselines
        models[name] = row
        seeded = len(row["runs"]) > 1  # one config per seed
        configs[name] = [r["config"] for r in row["runs"]] if seeded else row["config"]
        precisions[name] = row["precision"]
    baseline = summarise_pairs(baseline_runs)
    models = {BASELINE: baseline, **models}
    configs = {BASELINE: {**baselines.KERAS_IO_CONFIG, "epochs": epochs}, **configs}
    precisions = {BASELINE: baseline["precision"], **precisions}
    result = {
        "quick": bool(args.quick),
        "forced_precision": args.precision,
        "skipped": sorted(args.skip),
        "models": models,
    }
    if "overhead" not in args.skip:
        result["overhead"] = recipe_overhead(args)
        print(result["overhead"], flush=True)
    if args.explore:
        result["explore"] = explore(args, peaks)
    result["matmul_peak"] = rate_at_end(args, peaks, result)
    default = models.get(FLOP_FRACTION_GOAL["model"])
    if default is not None:
        result["flop_fraction_goal"] = {
            **FLOP_FRACTION_GOAL, "fraction": default["fraction_of_peak"],
            "met": default["fraction_of_peak"] >= FLOP_FRACTION_GOAL["at_least"]}
    return result, configs, precisions


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--best-seeds", type=int, default=None,
                        help="seeds of fashion_mnist_best (0, 1, ...), each run right after a "
                             "keras.io run of its own; default 3, 1 with --quick")
    parser.add_argument("--skip", action="append", default=[],
                        choices=list(RECIPES) + ["overhead"],
                        help="leave out a recipe or the overhead measurement (repeatable)")
    parser.add_argument("--only-best", action="store_true",
                        help="keras.io and fashion_mnist_best only (the longest part, run "
                             "on its own; pair it with --result compare_best)")
    parser.add_argument("--only-overhead", action="store_true",
                        help="the recipe-overhead A/B only (pair it with --result "
                             "compare_overhead; the README table takes it from there)")
    parser.add_argument("--precision", choices=kr.training.precision.names(), default=None,
                        help="force the recipes' precision, e.g. float32 (default: each "
                             "recipe's own, 'auto')")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config key of every recipe run, to measure a "
                             "candidate (pair it with --skip and --result; repeatable)")
    parser.add_argument("--pairs", type=int, default=1,
                        help="run keras.io and each recipe but the best this many times, "
                             "interleaved (keras.io, recipes, keras.io, recipes, ...); ratios "
                             "are taken within each pair, then averaged")
    parser.add_argument("--seed-per-pair", action="store_true",
                        help="train the recipes of pair k with seed k, so that their mean "
                             "accuracy is over seeds (keras.io keeps its one seed)")
    parser.add_argument("--first-seed", type=int, default=0,
                        help="with --seed-per-pair: pair k trains with seed FIRST_SEED + k")
    parser.add_argument("--epochs-baseline", type=int, default=15)
    parser.add_argument("--overhead-samples", type=int, default=10000)
    parser.add_argument("--overhead-repeats", type=int, default=3)
    parser.add_argument("--explore", action="store_true",
                        help="also measure batch size, threads, oneDNN and precision (~4 min)")
    parser.add_argument("--explore-repeats", type=int, default=1,
                        help="measure each --explore setting this many times, in interleaved "
                             "rounds, and keep the median")
    parser.add_argument("--only-explore", action="store_true",
                        help="the matmul peaks and --explore only (pair it with --result "
                             "NAME_explore, NAME a run in the README's compare table)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 320 images, 1 epoch, width 0.25, 1 %% validation, 1 seed "
                             "of the best recipe")
    parser.add_argument("--result", default="compare",
                        help="result name: benchmarks/results/<result>.json")
    parser.add_argument("--results-dir", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.best_seeds is None:
        args.best_seeds = 1 if args.quick else 3
    if args.pairs < 1:
        parser.error(f"argument --pairs must be >= 1. Received: {args.pairs}")
    if args.explore_repeats < 1:
        parser.error(f"argument --explore-repeats must be >= 1. Received: {args.explore_repeats}")
    if args.explore_repeats > 1 and not (args.explore or args.only_explore):
        parser.error("argument --explore-repeats needs --explore or --only-explore. Received: "
                     f"--explore-repeats {args.explore_repeats} without either")
    if args.best_seeds < 1:
        parser.error(f"argument --best-seeds must be >= 1. Received: {args.best_seeds}")
    if args.seed_per_pair and any(item.startswith("seed=") for item in args.set):
        parser.error("argument --seed-per-pair sets each pair's seed; drop --set seed=...")
    if args.first_seed and not args.seed_per_pair:
        parser.error(f"argument --first-seed needs --seed-per-pair. Received: "
                     f"--first-seed {args.first_seed} without it")
    if args.first_seed < 0:
        parser.error(f"argument --first-seed must be >= 0. Received: {args.first_seed}")
    only = [flag for flag in ("only_best", "only_overhead", "only_explore") if getattr(args, flag)]
    if len(only) > 1:
        parser.error("arguments " + " and ".join("--" + f.replace("_", "-") for f in only)
                     + " each run one part alone; give one of them")
    if args.only_best:
        args.skip = sorted(set(args.skip) | {"fashion_mnist_vgg", "fashion_mnist_fast", "overhead"})
    args.skip = set(args.skip)
    if args.pairs > 1 and not set(RECIPES) - args.skip - {"fashion_mnist_best"}:
        parser.error("argument --pairs interleaves keras.io with fashion_mnist_vgg and "
                     "fashion_mnist_fast, both left out here (fashion_mnist_best's seeds each "
                     f"run after a keras.io run of their own). Received: --pairs {args.pairs}")
    for item in args.set:
        if "=" not in item:
            parser.error(f"argument --set must be KEY=VALUE. Received: {item!r}")
        kr.recipes.get("fashion_mnist_vgg").defaults.replace(**dict([item.split("=", 1)]))
    return args


def main(argv=None):
    args = parse_args(argv)
    started = time.perf_counter()
    result, configs, precisions = run(args)
    result["total_s"] = round(time.perf_counter() - started, 1)
    command = "python benchmarks/compare.py " + " ".join(argv if argv is not None else sys.argv[1:])
    path = write_result(args.result, result, config=configs, precision=precisions,
                        command=command.strip(), results_dir=args.results_dir)
    print(f"Wrote {os.path.relpath(path)} in {result['total_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
