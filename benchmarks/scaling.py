"""How training cost grows with work: images/s and peak memory as models get wider and
inputs larger.

Points, each a few training steps on random images in a fresh process
(`throughput.measure`, which reads the process's peak resident memory), batch 64:

- the VGG builder (`fashion_vgg_small`) at width 0.5, 1 and 2 on 28×28 inputs, and at
  width 1 on 28×28, 56×56 and 112×112 inputs (grayscale);
- SqueezeNet v1.1 with batch norm (`squeezenet_1_1_bn`, the reference stem) on 32×32,
  64×64 and 224×224 RGB inputs, 10 classes.

Each point records its training FLOPs per image (`flops.forward_macs` x 6), so the
plot shows how images/s falls as work per image grows, and where it stops tracking it.

    python benchmarks/scaling.py [--batch-size 64] [--precision float32]   # ~3-4 min
    python benchmarks/scaling.py --quick                                  # 2 tiny points

Writes `benchmarks/results/scaling.json` and `scaling.png` (`--quick`: marked quick).
"""

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# First, as in the other benchmarks: turns on oneDNN's kernels (TF_ENABLE_ONEDNN_OPTS=1)
# here, so that the result's provenance records the setting each point's process inherits.
import kerasrecipes  # noqa: E402, F401

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import throughput  # noqa: E402
from provenance import write_result  # noqa: E402

VGG, SQUEEZENET = "fashion_vgg_small", "squeezenet_1_1_bn"


def points(quick=False):
    """Returns the `(label, series, model, kwargs)` of every point of the curve."""
    if quick:
        return [("vgg w0.25 28", ["vgg input"], VGG, {"width": 0.25}),
                ("vgg w0.25 56", ["vgg input"], VGG, {"width": 0.25, "input_shape": [56, 56, 1]})]
    # The width-1, 28x28 point belongs to both VGG series: measured once.
    grid = [(f"vgg w{w:g} 28", ["vgg width"] + (["vgg input"] if w == 1 else []), VGG,
             {"width": w}) for w in (0.5, 1.0, 2.0)]
    grid += [(f"vgg w1 {s}", ["vgg input"], VGG, {"input_shape": [s, s, 1]}) for s in (56, 112)]
    grid += [(f"squeezenet {s}", ["squeezenet input"], SQUEEZENET,
              {"input_shape": [s, s, 3], "classes": 10}) for s in (32, 64, 224)]
    return grid


def measure_all(batch_size, precision, quick=False):
    rows = []
    for label, series, model, kwargs in points(quick):
        spec = {"model": model, "kwargs": kwargs, "batch_size": batch_size,
                "precision": precision}
        if quick:
            spec.update(min_seconds=0.2, max_steps=2)
        result = throughput.measure(spec)
        rows.append({"label": label, "series": series, "model": model, "kwargs": kwargs,
                     **{k: result[k] for k in ("params", "forward_macs", "train_flops_per_image",
                                               "steps", "step_s", "images_per_s",
                                               "peak_rss_mb", "precision")},
                     "train_gflops_per_s": round(result["images_per_s"]
                                                 * result["train_flops_per_image"] / 1e9, 2)})
        print(rows[-1], flush=True)
    return rows


def figure(rows):
    """Returns a figure of images/s and peak memory against training GFLOPs per image
    (log-log), one line per series."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    fig, (speed, memory) = plt.subplots(1, 2, figsize=(11, 4.2))
    for series in dict.fromkeys(name for r in rows for name in r["series"]):
        chosen = sorted((r for r in rows if series in r["series"]),
                        key=lambda r: r["train_flops_per_image"])
        x = [r["train_flops_per_image"] / 1e9 for r in chosen]
        speed.plot(x, [r["images_per_s"] for r in chosen], "o-", label=series)
        memory.plot(x, [r["peak_rss_mb"] for r in chosen], "o-", label=series)
        for r, xi in zip(chosen, x):
            if r["series"][0] != series:
                continue  # a shared point is labelled once
            speed.annotate(r["label"], (xi, r["images_per_s"]), fontsize=7,
                           textcoords="offset points", xytext=(4, 4))
            memory.annotate(r["label"], (xi, r["peak_rss_mb"]), fontsize=7,
                            textcoords="offset points", xytext=(4, 4))
    for axes, ylabel in ((speed, "training images/s"), (memory, "peak resident memory (MB)")):
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.yaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
        axes.yaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
        axes.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        axes.set_xlabel("training GFLOPs per image (forward MACs × 6)")
        axes.set_ylabel(ylabel)
        axes.grid(True, which="both", alpha=0.3)
        axes.legend(fontsize=8)
    speed.set_title("Throughput falls as work per image grows")
    memory.set_title("Peak memory of each training process")
    fig.tight_layout()
    return fig


def plot(rows, path):
    """Writes `figure(rows)` to the PNG `path`; returns the path."""
    import matplotlib.pyplot as plt

    fig = figure(rows)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--precision", default="float32",
                        help="dtype policy of every point (default float32)")
    parser.add_argument("--quick", action="store_true", help="two tiny points (tests)")
    parser.add_argument("--results-dir", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows = measure_all(args.batch_size, args.precision, quick=args.quick)
    results_dir = args.results_dir or os.path.join(os.path.dirname(HERE), "benchmarks", "results")
    os.makedirs(results_dir, exist_ok=True)
    plot(rows, os.path.join(results_dir, "scaling.png"))
    result = {"quick": args.quick, "batch_size": args.batch_size, "rows": rows,
              "plot": "benchmarks/results/scaling.png",
              "total_s": round(time.perf_counter() - started, 1)}
    path = write_result("scaling", result,
                        config={"batch_size": args.batch_size, "points": points(args.quick),
                                "optimizer": "SGD 0.01, Nesterov momentum 0.9",
                                "data": "random images"},
                        precision=args.precision, results_dir=args.results_dir,
                        command="python benchmarks/scaling.py " + " ".join(argv or sys.argv[1:]))
    print(f"Wrote {os.path.relpath(path)} and scaling.png in {result['total_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
