"""Shared Markdown helpers for the table renderers (standard library only)."""

import json
import os


def load(results_dir, name):
    """Returns the parsed `results_dir/<name>.json`."""
    with open(os.path.join(results_dir, f"{name}.json")) as handle:
        return json.load(handle)


def table(header, rows):
    """Returns a Markdown table from a header list and a list of row lists."""
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def pct(value, digits=2):
    """Formats a fraction in [0, 1] as a percentage: 0.9382 -> '93.82 %'."""
    return f"{100 * value:.{digits}f} %"


def source(result):
    """Returns a one-line provenance note: CPU, flags, commit, date; and, for a result
    marked historical, that it has not been re-measured since."""
    prov = result.get("provenance", {})
    cpu = prov.get("cpu", {})
    flags = ", ".join(cpu.get("flags", [])) or "no listed flags"
    commit = (prov.get("commit") or "unknown")[:7]
    text = (f"Measured on {cpu.get('model', 'an unknown CPU')} ({cpu.get('cores', '?')} cores; "
            f"{flags}), commit {commit}, {prov.get('date', 'unknown date')[:10]}")
    environment = prov.get("environment") or {}
    if environment:
        text += ", with " + ", ".join(f"`{k}={v}`" for k, v in sorted(environment.items()))
    steal = prov.get("cpu_steal_share")
    if steal and steal >= 0.05:  # a shared VM's host took that share: timings ran slower
        text += f", {100 * steal:.0f} % of the CPU time taken by the hypervisor (steal)"
    text += "."
    if "historical" in result:
        text += (" Historical, not re-measured since: the recipe has changed (the reason and "
                 "the command that refreshes it are in the result's `historical`).")
    return text


def goal_text(goal):
    """'≥ 93.5 % in ≤ 3×: met (+0.20 pt, 0.50× to spare)' or '... missed (-0.40 pt; 0.20× over)'.

    A met goal says how near the line it is: one a few hundredths of a point above it is
    a different claim from one with a margin, and a re-run can land on either side.
    """
    if goal.get("accuracy_above_baseline"):
        wanted = "above keras.io"
    else:
        wanted = f"≥ {pct(goal['accuracy_at_least'], 1)}"
    text = f"{wanted} in ≤ {goal['wall_ratio_at_most']:.1f}×: "
    if goal["met"]:
        return (text + f"met ({goal['accuracy_margin_points']:+.2f} pt, "
                f"{goal['wall_ratio_margin']:.2f}× to spare)")
    misses = []
    if not goal["accuracy_met"]:
        misses.append(f"{goal['accuracy_margin_points']:+.2f} pt")
    if not goal["time_met"]:
        misses.append(f"{-goal['wall_ratio_margin']:.2f}× over")
    return text + "missed (" + "; ".join(misses) + ")"
