"""Which results a recipe change stales, and the commands that refresh them.

A result records each recipe run's overrides beside its full config (`provenance.py`);
`tests/test_results_current.py` fails once a recipe's defaults no longer match. This
lists those results before the change is made, so that adopting a candidate can be
planned: each stale result, the recipe keys that moved, the command that wrote it (its
`provenance["command"]`) and how long it ran (`total_s` or `provenance["elapsed_s"]`,
where recorded). With no `--set` it lists the results that are stale today. It prints
and writes nothing else.

    python benchmarks/stale.py
    python benchmarks/stale.py --set fashion_mnist_vgg:epochs=12 \\
        --set fashion_mnist_vgg:tta=flip
"""

import argparse
import json
import os
import sys

BENCHMARKS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCHMARKS)

import provenance  # noqa: E402  (beside this file)

import kerasrecipes as kr  # noqa: E402

RESULTS_DIR = os.path.join(BENCHMARKS, "results")


def parse_changes(items):
    """Returns `{recipe: {key: value}}` from `RECIPE:KEY=VALUE` strings.

    Raises:
        ValueError: an item not of that form, an unknown recipe or key, or a bad value.
    """
    changes = {}
    for item in items:
        recipe, colon, pair = item.partition(":")
        key, equals, value = pair.partition("=")
        if not (colon and equals and recipe and key):
            raise ValueError("Argument `--set` must be RECIPE:KEY=VALUE, as in "
                             f"fashion_mnist_vgg:epochs=14. Received: {item!r}")
        kr.recipes.get(recipe).defaults.replace(**{key: value})  # names and values checked
        changes.setdefault(recipe, {})[key] = value
    return changes


def stale_results(changes=None, results_dir=RESULTS_DIR):
    """Returns the results that would be stale with `changes` made to the recipes' defaults.

    Args:
        changes: optional `{recipe: {key: value}}` (values may be `--set` strings).
        results_dir: the folder of result JSONs.

    Returns:
        A list of dicts, in file order: name, command, total_s (or None) and messages
        (`provenance.drift`'s, naming each key that moved). Results marked historical
        are left out: they are already known not to describe today's recipes.
    """
    originals = {}
    try:
        for recipe, values in (changes or {}).items():
            function = kr.recipes.get(recipe)
            originals[recipe] = function.defaults
            function.defaults = function.defaults.replace(**values)
        found = []
        for file in sorted(f for f in os.listdir(results_dir) if f.endswith(".json")):
            with open(os.path.join(results_dir, file)) as handle:
                result = json.load(handle)
            if "historical" in result or "provenance" not in result:
                continue
            messages = provenance.drift(result, f"benchmarks/results/{file}")
            if messages:
                prov = result["provenance"]
                found.append({"name": file, "command": prov.get("command"),
                              "total_s": result.get("total_s") or prov.get("elapsed_s"),
                              "messages": messages})
        return found
    finally:
        for recipe, defaults in originals.items():
            kr.recipes.get(recipe).defaults = defaults


def report(found):
    """The listing `main` prints: one paragraph per result, then the recorded total."""
    if not found:
        return "No result is stale.\n"
    lines = []
    for entry in found:
        took = f"{entry['total_s'] / 60:.0f} min" if entry["total_s"] else "time not recorded"
        keys = sorted({line.split(":")[0].strip() for message in entry["messages"]
                       for line in message.splitlines()[1:] if line.startswith("  ")})
        lines.append(f"{entry['name']} ({took}; keys: {', '.join(keys) or 'see the test'})\n"
                     f"    {entry['command'] or 'command not recorded'}")
    recorded = sum(entry["total_s"] or 0 for entry in found)
    unknown = sum(not entry["total_s"] for entry in found)
    lines.append(f"{len(found)} stale result(s); recorded run time {recorded / 3600:.1f} h"
                 + (f", {unknown} without a recorded time" if unknown else ""))
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", default=[], metavar="RECIPE:KEY=VALUE",
                        help="a change to a recipe's defaults (repeatable)")
    args = parser.parse_args(argv)
    try:
        changes = parse_changes(args.set)
    except ValueError as error:
        parser.error(str(error))
    print(report(stale_results(changes)), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
