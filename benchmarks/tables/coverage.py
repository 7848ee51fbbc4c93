"""The seeds' tips, each with its kerasrecipes name, its tests and, where measured, its effect.

Reads `docs/coverage.json` (the list, kept by hand) and, for the measured column, the
named results in `results_dir`: either figures (`"fields"`: label -> dotted key) or a row
of a table rendered elsewhere (`"row"`, e.g. the tips table's "augmentation");
`tests/test_coverage.py` checks that every test named there exists.
"""

import json
import os

from _format import table

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COVERAGE = os.path.join(ROOT, "docs", "coverage.json")


def _lookup(result, dotted):
    value = result
    for key in dotted.split("."):
        value = value[int(key)] if isinstance(value, list) else value[key]
    return value


def _number(value, label=""):
    if isinstance(value, float) and label.endswith("points"):  # a difference in points
        return f"{value:+.2f}"
    if isinstance(value, float):
        return f"{value:+.4f}" if abs(value) < 1 and value < 0 else f"{value:.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _measured(spec, results_dir):
    if not spec:
        return ""
    path = os.path.join(results_dir, f"{spec['result']}.json")
    row = f", {spec['row']} row" if "row" in spec else ""
    if not os.path.exists(path):
        return f"not yet measured (`{spec['result']}.json`{row})"
    if not spec.get("fields"):
        return f"`benchmarks/results/{spec['result']}.json`{row}"
    with open(path) as handle:
        result = json.load(handle)
    figures = "; ".join(f"{label} {_number(_lookup(result, key), label)}"
                        for label, key in spec["fields"].items())
    historical = ", historical" if "historical" in result else ""  # measured on an old default
    return f"{figures} (`{spec['result']}.json`{historical})"


def render(results_dir):
    """Returns the coverage table as Markdown."""
    with open(COVERAGE) as handle:
        coverage = json.load(handle)
    tips = coverage["tips"]
    counts = {}
    for tip in tips:
        counts[tip["status"]] = counts.get(tip["status"], 0) + 1
    rows = []
    for tip in tips:
        tests = "<br>".join(f"`{node[len('tests/'):]}`" for node in tip["tests"])
        if tip["status"] != "built":
            tests = f"*{tip['status']}*" + (f"<br>{tests}" if tests else "")
        rows.append([tip["tip"], ", ".join(str(s) for s in tip["seeds"]), tip["name"], tests,
                     _measured(tip["measured"], results_dir)])
    seeds = "; ".join(f"{key}: {seed['title']}" for key, seed in coverage["seeds"].items())
    summary = ", ".join(f"{n} {status}" for status, n in counts.items())
    return (f"{len(tips)} tips from the five seed write-ups ({summary}). Seeds — {seeds}. "
            "Tests are node ids under `tests/`.\n\n"
            + table(["Tip", "Seeds", "kerasrecipes", "Tests", "Measured"], rows))
