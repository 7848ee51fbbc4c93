"""README table: an ensemble of small nets vs its best member vs one net with as many parameters."""

import statistics

from _format import load
from _format import source
from _format import table


def _acc(stats):
    return f"{100 * stats['mean']:.2f} ± {100 * stats['std']:.2f} %"


def _points(stats):
    return f"{stats['mean']:+.2f} ± {stats['std']:.2f}"


def _paired(values):
    return {"mean": statistics.mean(values),
            "std": statistics.stdev(values) if len(values) > 1 else 0.0}


def render(results_dir):
    result = load(results_dir, "ensembles")
    summary, runs = result["summary"], result["runs"]
    members = result["members"]
    member_params = runs[0]["member_params"]
    ensemble_params = runs[0]["ensemble_params"]
    wide_params = runs[0]["wide"]["params"]
    size = summary["savedmodel_mb"]
    # CPU seconds, not wall: the cores are shared, and CPU time is what a run costs.
    members_cpu = statistics.mean(r["members_train_cpu_s"] for r in runs)
    wide_cpu = statistics.mean(r["wide"]["train_cpu_s"] for r in runs)
    member_s = f"{members_cpu / members:.0f}"
    rows = [
        ["best single member (chosen by validation)", f"{member_params:,}",
         _acc(summary["best_member"]), "", member_s, f"{size['member']:.2f}"],
        ["mean single member", f"{member_params:,}", _acc(summary["mean_member"]),
         _points(_paired([100 * (r["mean_member_test_accuracy"] - r["best_member"]["test_accuracy"])
                          for r in runs])), member_s, f"{size['member']:.2f}"],
    ]
    for fusion in ("mean", "weighted", "vote", "early"):
        rows.append([f"ensemble of {members}, `fusion=\"{fusion}\"`", f"{ensemble_params:,}",
                     _acc(summary["ensemble"][fusion]),
                     _points(summary["gain_over_best_member_points"][fusion]),
                     f"{members_cpu:.0f}", f"{size['ensemble']:.2f}"])
    widths = sorted({r["wide"]["width"] for r in runs})
    rows.append([f"one model, same parameters (width {', '.join(map(str, widths))})",
                 f"{wide_params:,}", _acc(summary["wide"]),
                 _points(_paired([100 * (r["wide"]["test_accuracy"]
                                         - r["best_member"]["test_accuracy"]) for r in runs])),
                 f"{wide_cpu:.0f}", f"{size['wide']:.2f}"])
    gain = summary["gain_over_best_member_points"]["mean"]["mean"]
    best_fusion = max(summary["ensemble"], key=lambda f: summary["ensemble"][f]["mean"])
    versus_wide = summary["gain_over_wide_points"][best_fusion]["mean"]
    verdict = (
        f"\nThe seeds' \"about +3 %\" from five nets, measured with {members}: {gain:+.2f} points "
        f"over the best member with the mean of probabilities; the best fusion here, `{best_fusion}`, is "
        f"{versus_wide:+.2f} points against one model of the same total size, trained in "
        f"{wide_cpu / members_cpu:.2f}x the members' CPU time.\n"
    )
    config = result["provenance"]["config"]["member"]
    header = ["model", "params", f"test accuracy ({result['repeats']} seeds)",
              "vs best member (points)", "train CPU s", "SavedModel MB"]
    return (
        table(header, rows)
        + f"\nMembers: `{result['recipe']}` at width {config['width']}, {config['epochs']} "
        f"epochs each, seeds s, s+1, … sharing one validation split; full test set "
        f"({result['test_images']:,} images). Train CPU s: process CPU time of training "
        f"(ensemble rows: all {members} members; member rows: 1/{members} of that). "
        + source(result) + "\n" + verdict
    )
