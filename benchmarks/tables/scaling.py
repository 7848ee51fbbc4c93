"""README table: training images/s and peak memory as models widen and inputs grow
(`benchmarks/scaling.py`, scaling.json; the plot is scaling.png beside it)."""

from _format import load
from _format import source
from _format import table


def render(results_dir):
    result = load(results_dir, "scaling")
    rows = [[r["label"], f"{r['params']:,}", f"{r['train_flops_per_image'] / 1e6:,.0f}",
             f"{r['images_per_s']:,.0f}", f"{r['train_gflops_per_s']:.1f}",
             f"{r['peak_rss_mb']:,.0f}"] for r in result["rows"]]
    text = table(["point (model, width, input side)", "params", "training MFLOPs / image",
                  "images/s", "GFLOP/s", "peak RSS MB"], rows)
    quick = "**Quick run** (two tiny points; not a measurement). " if result.get("quick") else ""
    return (text + f"\n{quick}Batch {result['batch_size']}, random images, a few training "
            "steps per point, each in its own process; training FLOPs are the forward "
            "multiply-adds × 6. Plot: `benchmarks/results/scaling.png`. " + source(result) + "\n")
