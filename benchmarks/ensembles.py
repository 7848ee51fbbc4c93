"""Five small networks as one ensemble vs its best member vs one network as large as all five.

The seeds' tip: "train five networks from different initialisations and average them:
about 3 % better". For each of `--repeats` base seeds it trains `--members` copies of
the default recipe at a small width (seeds s, s+1, ...; one shared validation split),
fuses them four ways (`kr.ensembles.ensemble`: mean, weighted, vote, early), and trains
one model of the same recipe whose width gives the same total parameter count. All
are scored on the full Fashion-MNIST test set (10,000 images). It also records the
training time of each arm and the size of its SavedModel (`kr.export.save`).

Budget: about 15 minutes of CPU on 2 cores (3 seeds x (5 members + 1 wide model),
2 epochs each). Run it under the shared lock:

    flock /tmp/kr-heavy.lock python benchmarks/ensembles.py
    python benchmarks/ensembles.py --quick   # a smoke run: small subset, 1 seed, 2 members

Writes benchmarks/results/ensembles.json (--quick prints its summary and writes nothing).
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

import kerasrecipes as kr  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from provenance import recipe_config  # noqa: E402
from provenance import write_result  # noqa: E402

RECIPE = "fashion_mnist_vgg"
FUSIONS = ("mean", "weighted", "vote", "early")


def folder_bytes(path):
    """Returns the total size of the files under `path`."""
    return sum(os.path.getsize(os.path.join(root, name))
               for root, _, names in os.walk(path) for name in names)


def matching_width(target_params, overrides, low=0.05, high=4.0):
    """Returns the width whose model has the parameter count closest to `target_params`."""
    config = kr.recipes.config(RECIPE, **overrides)

    dropout = {} if config.dropout is None else {"dropout": config.dropout}  # None: the preset's

    def count(width):
        return kr.models.get(config.model, width=width, **dropout).count_params()

    for _ in range(30):  # parameters grow with width: bisect
        middle = (low + high) / 2
        low, high = (middle, high) if count(middle) < target_params else (low, middle)
    width = min((low, high), key=lambda w: abs(count(w) - target_params))
    return round(width, 4), count(width)


def export_size(model, folder):
    path = kr.export.save(model, folder)
    return folder_bytes(path)


def run_seed(seed, args, overrides, x_test, y_test, scratch):
    member_overrides = dict(overrides, width=args.member_width, seed=seed)
    started, cpu = time.perf_counter(), time.process_time()
    run = kr.ensembles.seed_members(RECIPE, args.members, **member_overrides)
    members_s, members_cpu = time.perf_counter() - started, time.process_time() - cpu
    test = kr.ensembles.member_accuracies(run.models, (x_test, y_test))
    best = int(np.argmax(run.scores))  # chosen by validation, as a user would
    fused, fused_s = {}, {}
    for fusion in FUSIONS:
        started = time.perf_counter()
        model = kr.ensembles.ensemble(run.models, fusion=fusion,
                                      validation_data=run.validation_data, seed=seed)
        fused_s[fusion] = round(time.perf_counter() - started, 1)
        fused[fusion] = float(model.evaluate(x_test, y_test, batch_size=512, verbose=0,
                                             return_dict=True)["accuracy"])
        if fusion == "mean":
            ensemble_bytes = export_size(model, os.path.join(scratch, f"ensemble_{seed}"))
    member_bytes = export_size(run.models[best], os.path.join(scratch, f"member_{seed}"))

    width, params = matching_width(kr.ensembles.parameter_count(run.models), overrides)
    started, cpu = time.perf_counter(), time.process_time()
    wide = kr.recipes.get(RECIPE)(**dict(overrides, width=width, seed=seed))
    wide.fit(verbose=0)
    wide_s, wide_cpu = time.perf_counter() - started, time.process_time() - cpu
    wide_acc = float(wide.model.evaluate(x_test, y_test, batch_size=512, verbose=0,
                                         return_dict=True)["accuracy"])
    wide_bytes = export_size(wide.model, os.path.join(scratch, f"wide_{seed}"))
    return {
        "seed": seed,
        "members": [
            {"seed": config.seed, "val_accuracy": round(score, 4), "test_accuracy": round(acc, 4)}
            for config, score, acc in zip(run.configs, run.scores, test)
        ],
        "member_params": run.models[0].count_params(),
        "best_member": {"index": best, "test_accuracy": round(test[best], 4)},
        "mean_member_test_accuracy": round(float(np.mean(test)), 4),
        "ensemble_test_accuracy": {k: round(v, 4) for k, v in fused.items()},
        "ensemble_params": kr.ensembles.parameter_count(run.models),
        "fusion_s": fused_s,
        "members_train_s": round(members_s, 1),
        "members_train_cpu_s": round(members_cpu, 1),
        "wide": {"width": width, "params": params, "test_accuracy": round(wide_acc, 4),
                 "train_s": round(wide_s, 1), "train_cpu_s": round(wide_cpu, 1)},
        "savedmodel_bytes": {"member": member_bytes, "ensemble": ensemble_bytes,
                             "wide": wide_bytes},
    }


def summarise(runs):
    def stats(values):
        values = [float(v) for v in values]
        return {"mean": round(statistics.mean(values), 4),
                "std": round(statistics.stdev(values), 4) if len(values) > 1 else 0.0}

    best = [r["best_member"]["test_accuracy"] for r in runs]
    return {
        "best_member": stats(best),
        "mean_member": stats(r["mean_member_test_accuracy"] for r in runs),
        "wide": stats(r["wide"]["test_accuracy"] for r in runs),
        "ensemble": {f: stats(r["ensemble_test_accuracy"][f] for r in runs) for f in FUSIONS},
        "gain_over_best_member_points": {
            f: stats(100 * (r["ensemble_test_accuracy"][f] - r["best_member"]["test_accuracy"])
                     for r in runs) for f in FUSIONS},
        "gain_over_wide_points": {
            f: stats(100 * (r["ensemble_test_accuracy"][f] - r["wide"]["test_accuracy"])
                     for r in runs) for f in FUSIONS},
        "train_s": {"members": stats(r["members_train_s"] for r in runs),
                    "wide": stats(r["wide"]["train_s"] for r in runs)},
        "savedmodel_mb": {k: round(statistics.mean(r["savedmodel_bytes"][k] for r in runs) / 1e6, 2)
                          for k in ("member", "ensemble", "wide")},
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3, help="base seeds (0, 100, 200, ...)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--member-width", type=float, default=0.25)
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 1 seed, 2 members, 1 epoch on 1,000 images, 1,000 test images")
    args = parser.parse_args(argv)
    overrides = dict(epochs=args.epochs)
    test_images = None
    if args.quick:
        args.members, args.repeats = 2, 1
        overrides.update(epochs=1, train_samples=1000, validation_split=0.05)
        test_images = 1000
    (_, _), (x_test, y_test) = kr.data.load("fashion_mnist")
    x_test = x_test[:test_images].astype("float32")
    y_test = y_test[:test_images]
    scratch = tempfile.mkdtemp(prefix="kr-ensembles-")
    try:
        runs = []
        for repeat in range(args.repeats):
            runs.append(run_seed(100 * repeat, args, overrides, x_test, y_test, scratch))
            print(runs[-1], flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    member_overrides = dict(overrides, width=args.member_width)
    member_config = kr.recipes.config(RECIPE, **member_overrides)
    if args.quick:  # a smoke run never replaces the measured result
        print(json.dumps(summarise(runs)))
        return 0
    result = {
        "recipe": RECIPE,
        "members": args.members,
        "repeats": args.repeats,
        "test_images": len(x_test),
        "summary": summarise(runs),
        "runs": runs,
    }
    path = write_result(
        "ensembles", result,
        config={"member": recipe_config(RECIPE, member_overrides),
                "wide": {"width": [r["wide"]["width"] for r in runs],
                         "note": "the member config at the width matching the ensemble's parameters"},
                "seeds": [r["seed"] for r in runs],
                "budget": "about 15 minutes of CPU on 2 cores (full run)"},
        precision=kr.training.precision.resolve(member_config.precision),
        command=" ".join(["python benchmarks/ensembles.py", *(sys.argv[1:] if argv is None else argv)]),
    )
    print(f"Wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
