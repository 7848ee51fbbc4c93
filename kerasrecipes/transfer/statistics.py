"""Feature statistics of a data set at a base's top layer, and the distance between two.

`auto` fine-tuning measures how similar new data is to the data a base was trained on by
comparing the statistics of the base's top-layer features (the classifier's input) on
both. The base's statistics are computed once, where its training data is, and travel
with it as a small JSON file.
"""

import json
import os

import numpy as np

from kerasrecipes._files import write_json_atomically

FORMAT = "kerasrecipes.feature_statistics/1"


def feature_statistics(model, images, layer=None, batch_size=256):
    """Returns the per-feature mean and standard deviation of `images` at a base's top layer.

    Args:
        model: a base `keras.Model` (or a path, see `kerasrecipes.transfer.load_base`).
        images: uint8 images `(N, H, W, C)` in the model's raw input range, `(x, y)`,
            or a `tf.data.Dataset` of `(image, label)` pairs.
        layer: optional str, the layer to measure; defaults to the top-layer features.
        batch_size: int, images per forward pass.

    Returns:
        A JSON-ready dict: `format`, `layer`, `count`, `mean` and `std` (lists of floats).

    Example:

    >>> stats = kr.transfer.feature_statistics(base, x_base_train)
    >>> kr.transfer.save_feature_statistics(stats, "base.keras.features.json")
    """
    from kerasrecipes.transfer import bases
    from kerasrecipes.transfer import inputs

    model = bases.load(model) if not hasattr(model, "layers") else model
    x, _ = inputs.as_arrays(images, "images", labels_required=False)
    extractor = bases.feature_model(model, layer)
    features = np.asarray(extractor.predict(x.astype("float32"), batch_size=batch_size,
                                            verbose=0), dtype="float64")
    name = layer or bases.top_features(model)[0]
    return {"format": FORMAT, "layer": name, "count": int(len(features)),
            "mean": features.mean(axis=0).tolist(), "std": features.std(axis=0).tolist()}


def distance(base_statistics, new_statistics, eps=1e-3):
    """Returns how far new data's features lie from the base's, in the base's own units.

    It is the Fréchet distance between two Gaussians with diagonal covariances,
    measured in units of the base's per-feature variance and averaged over features:
    `mean_j [((μ_new − μ_base)² + (σ_new − σ_base)²) / (σ_base² + eps·mean σ_base²)]`.
    0 means the same statistics; a new class the base never saw adds roughly its
    squared distance from the base's mean in standard deviations. Dead features
    (σ_base ≈ 0) are weighted down by `eps`, so they cannot dominate.

    Args:
        base_statistics: dict from `feature_statistics` on the base's data.
        new_statistics: dict from `feature_statistics` on the new data, same layer.
        eps: float, relative floor on the base's variance.

    Returns:
        float >= 0.

    Raises:
        ValueError: the two were measured at different layers or widths.
    """
    if base_statistics.get("layer") != new_statistics.get("layer") or len(
            base_statistics["mean"]) != len(new_statistics["mean"]):
        raise ValueError(
            "Argument `base_statistics` must be measured at the same layer as the new data's. "
            f"Received: base_statistics at layer {base_statistics.get('layer')!r} "
            f"({len(base_statistics['mean'])} features), new data at "
            f"{new_statistics.get('layer')!r} ({len(new_statistics['mean'])} features)"
        )
    mu_b, sd_b = np.asarray(base_statistics["mean"]), np.asarray(base_statistics["std"])
    mu_n, sd_n = np.asarray(new_statistics["mean"]), np.asarray(new_statistics["std"])
    var = sd_b ** 2 + eps * max(float(np.mean(sd_b ** 2)), 1e-12)
    return float(np.mean(((mu_n - mu_b) ** 2 + (sd_n - sd_b) ** 2) / var))


def statistics_path(model_path):
    """Returns where a base's statistics live beside it: `<model_path>.features.json`."""
    return os.fspath(model_path).rstrip("/") + ".features.json"


def save_feature_statistics(statistics, path):
    """Writes statistics as JSON, atomically (no half-written file on failure); returns `path`."""
    return write_json_atomically(statistics, path)


def load_feature_statistics(path):
    """Reads statistics written by `save_feature_statistics`.

    Raises:
        ValueError: the file is not a feature-statistics file.
    """
    with open(path) as handle:
        statistics = json.load(handle)
    if not isinstance(statistics, dict) or statistics.get("format") != FORMAT:
        raise ValueError(
            f"Argument `base_statistics` must be a file written by "
            f"kr.transfer.save_feature_statistics. Received: {path!r}"
        )
    return statistics
