"""README table: the configs tried against a recipe's goal (`candidate_*.json`).

A candidate is a `benchmarks/compare.py --set KEY=VALUE ... --result candidate_NAME`
run. Runs of the same recipe, overrides (the seed aside), precision and CPU are pooled
into one row, e.g. seeds 0-2 in one file and seeds 3-5 (`--first-seed 3`) in another.
A candidate marked historical changed the recipe's defaults at the commit its
`historical` names, which the recipe has since left; its row says so. Pooled rows:
the accuracy is the mean over every seed, each time ratio the mean over every pair, and
the goal is judged again on those means, as `compare.py` judges one file (met where the
accuracy reaches the target and both ratios, by wall time and by median epochs, stay
within the allowed one).
"""

import os
import statistics

from _format import goal_text
from _format import load
from _format import pct
from _format import table

PREFIX = "candidate_"
# Keys that say how a candidate ran, not what it changed.
NOT_A_CHANGE = ("seed", "precision")


def _overrides(result, name):
    """The `--set` overrides of recipe `name` in `result`, the seed and precision aside."""
    for entry in result["provenance"]["recipes"].values():
        if entry["recipe"] == name:
            return {k: v for k, v in entry["overrides"].items() if k not in NOT_A_CHANGE}
    return {}


def _cpu(result):
    cpu = result["provenance"]["cpu"]
    flags = cpu.get("flags", [])
    kind = ("AMX" if "amx_bf16" in flags else "AVX-512" if "avx512f" in flags
            else "AVX2" if "avx2" in flags else "no AVX2")
    return f"{cpu['model']} ({kind})"


def groups(results_dir):
    """Returns the pooled candidates, in file order: a list of dicts with recipe, change,
    precision, cpu, files, runs (one dict per seed) and the goal's thresholds."""
    pooled = {}
    files = sorted(f[:-5] for f in os.listdir(results_dir)
                   if f.startswith(PREFIX) and f.endswith(".json"))
    for file in files:
        result = load(results_dir, file)
        for name, model in result["models"].items():
            if "goal" not in model:  # the keras.io baseline
                continue
            change = ", ".join(f"{k}={v}" for k, v in sorted(_overrides(result, name).items()))
            if "historical" in result:  # a change of defaults the recipe no longer has
                commit = result["historical"]["commit"][:7]
                change = f"{change or 'its defaults'} at {commit} (historical)"
            key = (name, change, model["precision"], _cpu(result))
            group = pooled.setdefault(key, {
                "recipe": name, "change": change or "(its defaults)",
                "precision": model["precision"], "cpu": _cpu(result), "files": [], "runs": [],
                "goal": {k: v for k, v in model["goal"].items()
                         if k in ("accuracy_at_least", "accuracy_above_baseline",
                                  "wall_ratio_at_most", "accuracy_target")}})
            group["files"].append(file)
            group["runs"] += model.get("runs") or [model]
    return list(pooled.values())


def _mean(runs, key):
    return statistics.mean(r[key] for r in runs)


def pooled_goal(group):
    """The goal judged on the pooled means (the fields `goal_text` reads)."""
    runs, goal = group["runs"], dict(group["goal"])
    accuracy = _mean(runs, "test_accuracy")
    worst = max(_mean(runs, "wall_ratio"), _mean(runs, "median_wall_ratio"))
    target = goal.get("accuracy_target", goal.get("accuracy_at_least"))
    accuracy_met = accuracy > target if goal.get("accuracy_above_baseline") else accuracy >= target
    time_met = worst <= goal["wall_ratio_at_most"]
    return {**goal, "accuracy_margin_points": round(100 * (accuracy - target), 2),
            "wall_ratio_margin": round(goal["wall_ratio_at_most"] - worst, 2),
            "accuracy_met": accuracy_met, "time_met": time_met,
            "met": accuracy_met and time_met}


def _row(group):
    runs = group["runs"]
    accuracies = [r["test_accuracy"] for r in runs]
    spread = f" ± {100 * statistics.stdev(accuracies):.2f}" if len(runs) > 1 else ""
    seeds = ", ".join(str(r.get("config", {}).get("seed", 0)) for r in runs)
    one_pass = "—"
    if all("test_accuracy_without_tta" in r for r in runs):
        one_pass = pct(_mean(runs, "test_accuracy_without_tta"))
    evaluate = "—"
    if all("evaluate_s" in r for r in runs):  # recorded since compare.py times it
        evaluate = f"{_mean(runs, 'evaluate_s'):.1f}"
    pairs = ", ".join(f"{r['wall_ratio']:.2f}×" for r in runs)
    goal = pooled_goal(group)
    verdict = goal_text(goal)
    return [f"`{group['recipe']}`", group["change"], f"{group['cpu']}, {group['precision']}",
            seeds, f"{pct(statistics.mean(accuracies))}{spread}", one_pass, evaluate,
            f"{_mean(runs, 'wall_ratio'):.2f}× ({_mean(runs, 'median_wall_ratio'):.2f}×)", pairs,
            verdict,
            ", ".join(f"`{f}`" for f in group["files"])]


def render(results_dir):
    rows = [_row(group) for group in groups(results_dir)]
    if not rows:
        return "No candidate has been measured (`benchmarks/results/candidate_*.json`).\n"
    return table(["recipe", "change (`--set`)", "CPU, precision", "seeds",
                  "test accuracy (mean ± std)", "one forward pass", "test evaluation s",
                  "× keras.io (by median epochs)", "each pair", "goal, on the pooled means",
                  "results"], rows)
