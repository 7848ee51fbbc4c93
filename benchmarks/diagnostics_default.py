"""Diagnostics on the default recipe: sanity-check runtime, LR range test, curve reading.

    flock /tmp/kr-heavy.lock python benchmarks/diagnostics_default.py [--epochs 3] [--set key=value ...]

On the full Fashion-MNIST training split, with the default `fashion_mnist_vgg` config
(plus any `--set` overrides): times `sanity_check`, runs `find_lr` (100 steps, 1e-5 to 10)
and reports its suggestion, then trains for `--epochs` epochs with `log_dir` set and
records `diagnose`'s findings. Writes benchmarks/results/diagnostics_default.json (with
its provenance) and the figures under benchmarks/results/diagnostics_default/.
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import kerasrecipes as kr  # noqa: E402
from kerasrecipes.training import find_lr  # noqa: E402
from kerasrecipes.plots import curves  # noqa: E402
from kerasrecipes.training import sanity_check  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from provenance import recipe_config  # noqa: E402
from provenance import write_result  # noqa: E402

FIGURES = os.path.join(HERE, "results", "diagnostics_default")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr-steps", type=int, default=100)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    overrides = dict(pair.split("=", 1) for pair in args.set)
    overrides.update(epochs=args.epochs, log_dir=FIGURES)

    recipe = kr.recipes.get("fashion_mnist_vgg")(**overrides)
    start = time.perf_counter()
    report = sanity_check(recipe)
    sanity_wall = time.perf_counter() - start
    print(report, f"({sanity_wall:.1f} s)")

    start = time.perf_counter()
    lr_test = find_lr(recipe, steps=args.lr_steps)
    lr_wall = time.perf_counter() - start
    curves.plot_lr_range_test(lr_test, os.path.join(FIGURES, "lr_range_test.png"))
    print(f"find_lr: suggested {lr_test.suggested:.3g}, lowest loss at {lr_test.min_loss_lr:.3g}, "
          f"steepest at {lr_test.steepest_lr:.3g} ({lr_wall:.1f} s)")

    start = time.perf_counter()
    history = recipe.fit(verbose=2)
    fit_wall = time.perf_counter() - start
    metrics = recipe.evaluate()
    result = {
        "sanity_check": {"wall_s": round(sanity_wall, 1), **{
            k: getattr(report, k) for k in ("passed", "initial_loss", "expected_loss", "steps",
                                            "train_accuracy", "heldout_accuracy", "message")}},
        "find_lr": {"wall_s": round(lr_wall, 1), "steps_taken": len(lr_test.learning_rates),
                    "suggested": lr_test.suggested, "min_loss_lr": lr_test.min_loss_lr,
                    "steepest_lr": lr_test.steepest_lr},
        "run": {"epochs": len(history.history["loss"]), "wall_s": round(fit_wall, 1),
                "history": {k: [round(float(v), 5) for v in vs]
                            for k, vs in history.history.items()},
                "test": {k: round(float(v), 4) for k, v in metrics.items()},
                "diagnose": [str(f) for f in recipe.findings]},
        "figures": sorted(os.listdir(FIGURES)),
    }
    write_result("diagnostics_default", result,
                 config=recipe_config(recipe, overrides,
                                      placeholders={"log_dir": "<benchmarks/results/diagnostics_default>"}),
                 precision=kr.training.precision.resolve(recipe.config.precision))
    print(json.dumps({k: result[k] for k in ("sanity_check", "find_lr")}, indent=1))


if __name__ == "__main__":
    main()
