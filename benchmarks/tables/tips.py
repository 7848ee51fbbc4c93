"""README table: the seeds' tips, each an A/B on Fashion-MNIST with a verdict (`benchmarks/tips.py`).

The verdict rule lives here (standard library only), so the benchmark and the renderer
judge alike, also the ensemble claim cited from `ensembles.json`.
"""

import os

from _format import load
from _format import source
from _format import table

VERDICTS = ("confirmed", "not confirmed", "within noise / depends")
VERDICT_RULE = ("d = mean(A) − mean(B) over seeds, noise = √(std(A)² + std(B)²); "
                "confirmed when d is beyond the noise in the claim's direction, not confirmed "
                "when beyond it the other way, within noise / depends otherwise")


def judge(d, noise, higher_is_better=True):
    """Returns the verdict on "A beats B" for `d = mean(A) - mean(B)` and the combined std."""
    signed = d if higher_is_better else -d
    if signed > noise:
        return VERDICTS[0]
    if signed < -noise:
        return VERDICTS[1]
    return VERDICTS[2]


def _acc(stats):
    return f"{100 * stats['mean']:.2f} ± {100 * stats['std']:.2f}"


def _arms(row):
    cells = []
    for name, arm in row["arms"].items():
        cell = f"{name} {_acc(arm['test_accuracy'])}"
        if "epoch_s" in arm and any(c["metric"] == "epoch_s" for c in row["claims"]
                                    if name in (c["a"], c["b"])):
            cell += f" ({arm['epoch_s']['mean']:.2f} s/epoch)"
        cells.append(cell)
    return "<br>".join(cells)


_BUDGET_KEYS = ("train_samples", "epochs", "width", "batch_size", "augment", "optimizer",
                "learning_rate")


def _budget_text(budget):
    words = {"train_samples": lambda v: f"{v:,} train images",
             "epochs": lambda v: f"{v} epoch{'s' * (v != 1)}",
             "width": lambda v: f"width {v}" if v else "each model's own width",
             "batch_size": lambda v: f"batch {v}", "augment": lambda v: f"augment {v}",
             "optimizer": lambda v: f"optimizer {v}", "learning_rate": lambda v: f"LR {v}"}
    return ", ".join(words[key](budget[key]) for key in _BUDGET_KEYS if key in budget)


def _budgets(rows):
    """The budget most rows share, then each row's departures from it."""
    budgets = {name: {key: row["budget"].get(key) for key in _BUDGET_KEYS
                      if key in row["budget"]} for name, row in rows.items()}
    common = {}
    for key in _BUDGET_KEYS:
        values = [repr(b[key]) for b in budgets.values() if key in b]
        if values and max(values.count(v) for v in values) * 2 > len(budgets):
            common[key] = next(b[key] for b in budgets.values()
                               if repr(b.get(key)) == max(values, key=values.count))
    parts = [f"{_budget_text(common)}, otherwise the recipe's settings" if common else ""]
    for name, budget in budgets.items():
        own = {k: v for k, v in budget.items() if k not in common or repr(common[k]) != repr(v)}
        if own:
            parts.append(f"`{name}`: {_budget_text(own)}")
    return "; ".join(p for p in parts if p)


def _per_arm(row, metric, fmt):
    return "; ".join(f"{name} {fmt(arm[metric]['mean'])}" for name, arm in row["arms"].items()
                     if metric in arm)


def _details(name, row):
    """One line of the row's extra measurements, or None."""
    if name == "init":
        seed = row["seeds"][0]
        stds = [f"{arm} {r['init_activation_std'][0]:.3g} → {r['init_activation_std'][-1]:.3g}"
                for arm, a in row["arms"].items() for r in a["runs"]
                if r["seed"] == seed and r.get("init_activation_std")]
        return "activation std at init, first → last ReLU layer (seed 0): " + "; ".join(stds)
    if name == "batch_norm":
        parts = []
        for arm, a in row["arms"].items():
            steps = [r["steps_to"] for r in a["runs"] if "steps_to" in r]
            cells = []
            for target in (steps[0] if steps else {}):
                reached = [s[target] for s in steps if s[target] is not None]
                cells.append(f"{target} % in {sum(reached) / len(reached):.0f} steps"
                             f" ({len(reached)}/{len(steps)} seeds)" if reached
                             else f"{target} % not reached")
            parts.append(f"{arm}: " + ", ".join(cells))
        return "validation accuracy (2,000 images, checked 4× per epoch): " + "; ".join(parts)
    if name == "pooling":
        check = row["identity_check"]
        same = "identical" if check["identical"] else f"max |Δ| = {check['max_abs_difference']:.3g}"
        return (f"ReLU after vs before pooling on the same weights (no norm): outputs {same}; "
                f"inference on {check['images']:,} images {check['inference_s']['after']:.3f} s "
                f"vs {check['inference_s']['before']:.3f} s")
    if name == "regularization":
        return "train − test gap: " + _per_arm(row, "gap", lambda v: f"{100 * v:.2f} pt")
    if name == "small_models":
        return "; ".join(
            f"{arm}: {a['params']['mean']:,.0f} params, SavedModel {a['savedmodel_mb']['mean']:.2f} MB, "
            f"{a['images_per_s']['mean']:,.0f} training images/s"
            for arm, a in row["arms"].items())
    if name == "activations":
        return "time per epoch (median): " + _per_arm(row, "epoch_s", lambda v: f"{v:.2f} s")
    return None


# The seeds: "train five networks ... and average them: about 3 % better".
CLAIMED_ENSEMBLE_GAIN_POINTS = 3.0


def _ensemble_line(results_dir):
    """The ensemble claim, cited from ensembles.json; None when that result is missing."""
    if not os.path.exists(os.path.join(results_dir, "ensembles.json")):
        return None
    result = load(results_dir, "ensembles")
    gain = result["summary"]["gain_over_best_member_points"]["mean"]
    single = result["summary"]["best_member"]
    ensemble = result["summary"]["ensemble"]["mean"]
    arms = (f"ensemble of {result['members']} {_acc(ensemble)}<br>"
            f"best member {_acc(single)}")
    # Two claims: the direction ("beats") and the seeds' size ("~3 points"), judged apart
    # so that a real but smaller gain does not read as the seeds' figure confirmed.
    size = (VERDICTS[0] if abs(gain["mean"] - CLAIMED_ENSEMBLE_GAIN_POINTS) <= gain["std"]
            else VERDICTS[1])
    effect = f"{gain['mean']:+.2f} ± {gain['std']:.2f} pt"
    return ["ensembles (ensembles.json)", arms,
            f"an ensemble of {result['members']} beats its best member<br>"
            f"... by ~{CLAIMED_ENSEMBLE_GAIN_POINTS:g} points (the seeds' figure)",
            f"{judge(gain['mean'], gain['std'])}<br>{size}", f"{effect}<br>{effect}"]


def measured_line(results_dir, row, a, b):
    """The verdict a part's docstring carries for claim `a` vs `b` of `row` (one line).

    `benchmarks/render.py` writes it after `Measured (tips.json, ROW: A vs B): ` in the
    package's docstrings, so a part states its measured effect and never a typed figure.
    """
    if not os.path.exists(os.path.join(results_dir, "tips.json")):
        return "not measured yet."
    result = load(results_dir, "tips")
    found = result["rows"].get(row)
    claim = next((c for c in (found or {}).get("claims", []) if (c["a"], c["b"]) == (a, b)),
                 None)
    if claim is None:
        return "not measured yet."
    seeds = len(found["seeds"])
    quick = ", a --quick smoke run" if result.get("quick") else ""
    return (f"{claim['effect']}, {claim['verdict']} "
            f"({seeds} seed{'s' * (seeds > 1)}{quick}).")


def render(results_dir):
    result = load(results_dir, "tips")
    rows, lines, details = result["rows"], [], []
    for name, row in rows.items():
        claims = row["claims"]
        lines.append([f"**{name}**: {row['title']}", _arms(row),
                      "<br>".join(c["claim"] for c in claims),
                      "<br>".join(c["verdict"] for c in claims),
                      "<br>".join(c["effect"] for c in claims)])
        if name == "ensembles_extras":
            ensemble = _ensemble_line(results_dir)
            if ensemble:
                lines.append(ensemble)
        line = _details(name, row)
        if line:
            details.append(f"`{name}`: {line}.")
    seeds = max(len(row["seeds"]) for row in rows.values()) if rows else 0
    test_images = max(row["test_images"] for row in rows.values()) if rows else 0
    header = ["tip", f"arms: test accuracy % (mean ± std, {seeds} seed{'s' * (seeds > 1)})",
              "claim (A vs B)", "verdict", "effect, A − B"]
    quick = ("**Quick run** (`--quick`: a smoke test of the benchmark, not a measurement; "
             "the full run replaces it). " if result.get("quick") else "")
    return (
        table(header, lines)
        + f"\n{quick}Verdict rule: {result['verdict_rule']}. Test accuracy on "
        f"{test_images:,} Fashion-MNIST test images; validation: a held-out share of the "
        "training images. Budget, the same for every arm of a row: "
        + _budgets(rows) + ".\n\n" + "\n".join(details)
        + ("\n\n" if details else "") + source(result) + "\n"
    )
