"""The default model's training speed with one setting changed at a time (`compare.py
--explore`, `--only-explore`).

Each setting is timed in a fresh process on random images (`throughput.measure`), so
settings TensorFlow reads once at start-up can differ, and rated against the matmul peak
of its precision (`flops.rate`). Rounds are interleaved (every setting once, then again),
so a slow spell of a shared host hits every row; each row keeps the median. Recorded,
not used to tune the recipes.
"""

import statistics

import kerasrecipes as kr  # first: turns on oneDNN's kernels before TensorFlow

import flops

# (setting, value) pairs, each a change from the recipe's own settings, next to the value
# that restores it so both are timed in the same round.
VARIANTS = (("batch_size", 64), ("batch_size", 128), ("batch_size", 256), ("batch_size", 512),
            ("threads", 1), ("threads", 2), ("onednn", False), ("onednn", True),
            ("precision", "float32"), ("precision", "mixed_bfloat16"),
            ("jit_compile", True), ("jit_compile", False),
            ("data_format", "channels_first"), ("data_format", "channels_last"),
            ("batch_norm", "keras"), ("batch_norm", "fused"))


def probe(config, peaks, repeats=1, quick=False):
    """Times the model of recipe config `config` under each of `VARIANTS`.

    Args:
        config: a `RecipeConfig` (its model, width, batch size and precision are the base).
        peaks: `{dtype: {"flops_per_s": ...}}`, the matmul peaks rated against.
        repeats: int, interleaved rounds; each row keeps the median images/s.
        quick: bool, the smoke run: the first setting only, two steps.

    Returns:
        A dict: model, resolved precision, batch_size, repeats, note and `rows` (setting,
        value, images/s and each round's, `flops.rate`'s figures, peak memory and the
        settings the child ran with).

    Example:

    >>> found = probe(kr.recipes.config("fashion_mnist_vgg"), peaks, repeats=3)
    """
    import throughput

    precision = kr.training.precision.resolve(config.precision)
    base = {"model": config.model, "batch_size": config.batch_size, "precision": precision}
    variants = VARIANTS
    if quick:
        base.update(min_seconds=0.2, max_steps=2, kwargs={"width": config.width})
        variants = VARIANTS[:1]
    measured = {variant: [] for variant in variants}
    for _ in range(repeats):
        for key, value in variants:
            measured[key, value].append(throughput.measure({**base, key: value}))
            print(key, value, measured[key, value][-1]["images_per_s"], flush=True)
    rows = []
    for (key, value), results in measured.items():
        speeds = [result["images_per_s"] for result in results]
        speed, last = statistics.median(speeds), results[-1]
        rows.append({"setting": key, "value": value, "images_per_s": round(speed, 1),
                     "images_per_s_runs": speeds,
                     **flops.rate(speed, last["train_flops_per_image"], last["precision"], peaks),
                     "peak_rss_mb": max(result["peak_rss_mb"] for result in results),
                     **{name: last[name] for name in ("intra_op_threads", "onednn", "precision",
                                                      "jit_compile", "data_format",
                                                      "batch_norm")}})
    return {"model": config.model, "precision": precision, "batch_size": config.batch_size,
            "repeats": repeats,
            "note": "random images, a few steps each in a fresh process, the median of the "
                    "interleaved repeats; recorded, not used to tune the recipes", "rows": rows}
