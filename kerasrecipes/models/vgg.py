"""VGG-style networks: stacks of 3×3 stride-1 convs separated by 2×2 max pooling.

Reference:
    Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
    Recognition", ICLR 2015 (https://arxiv.org/abs/1409.1556).
"""

import keras

from kerasrecipes import activations
from kerasrecipes import constraints
from kerasrecipes import initializers
from kerasrecipes import regularizers
from kerasrecipes.layers import normalization
from kerasrecipes.layers.blocks import apply_vgg_stage
from kerasrecipes.layers.blocks import check_rate
from kerasrecipes.layers.blocks import part_name
from kerasrecipes.models.common import apply_image_input
from kerasrecipes.models.common import check_pad_to_multiple
from kerasrecipes.models.common import check_preprocessing
from kerasrecipes.models.common import conv_options
from kerasrecipes.models.common import padded_size
from kerasrecipes.models.common import warn_dropped_pixels
from kerasrecipes.models.common import width_scaler

# Table 1 of the paper, one list per stage (each stage ends in 2×2 max pooling).
CONFIGS = {
    "A": [[64], [128], [256, 256], [512, 512], [512, 512]],
    "B": [[64, 64], [128, 128], [256, 256], [512, 512], [512, 512]],
    "D": [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]],
    "E": [[64, 64], [128, 128], [256] * 4, [512] * 4, [512] * 4],
    # Small-input stacks for 28×28 / 32×32 images (three poolings: 28 → 3).
    "small": [[32], [64], [128]],
    "small_deep": [[32, 32], [64, 64], [128, 128]],
}

_HEADS = ("dense", "gap", "dense_gap")


def _resolve_config(config):
    if isinstance(config, str):
        if config not in CONFIGS:
            raise ValueError(
                f"Argument `config` must be one of {sorted(CONFIGS)} or a list of stages "
                f"(each a list of conv widths). Received: config={config!r}"
            )
        return [list(stage) for stage in CONFIGS[config]]
    stages = [list(stage) if isinstance(stage, (list, tuple)) else stage for stage in config]
    if not stages or not all(
        isinstance(s, list) and s and all(isinstance(w, int) and w > 0 for w in s)
        for s in stages
    ):
        raise ValueError(
            "Argument `config` must be a non-empty list of stages, each a non-empty list "
            f"of positive conv widths, e.g. [[64], [128, 128]]. Received: config={config!r}"
        )
    return stages


def vgg(
    config="D",
    input_shape=(224, 224, 3),
    classes=1000,
    include_top=True,
    width=1.0,
    norm=None,
    activation="relu",
    kernel_initializer="he_normal",
    kernel_regularizer=None,
    kernel_constraint=None,
    activation_after_pool=False,
    final_pool=True,
    head="dense",
    dense_units=(4096, 4096),
    dropout=0.5,
    preprocessing="squeeze",
    classifier_activation="softmax",
    name=None,
    pad_to_multiple=None,
):
    """Builds a VGG-style classifier.

    With `config="D"`, `input_shape=(224, 224, 3)`, `classes=1000`, `norm=None`,
    `head="dense"` and the default dense units it has the 138,357,544 parameters of
    VGG16 (`keras.applications.VGG16(weights=None)`); `config="E"` is VGG19.

    Args:
        config: `"A"`, `"B"`, `"D"`, `"E"`, `"small"`, `"small_deep"`, or a list of
            stages, each a list of conv widths (`[[32], [64, 64]]`).
        input_shape: tuple `(H, W, C)`. Defaults to `(224, 224, 3)`.
        classes: int, number of classes. Defaults to 1000.
        include_top: bool, whether to add the classifier head.
        width: float, multiplies every conv and dense width. Defaults to 1.0.
        norm: None or a name from `kerasrecipes.layers.normalization.names()`;
            placed after each conv, before the activation.
        activation: activation name, e.g. `"relu"`, `"prelu"`, `"elu"`.
        kernel_initializer: initializer name, e.g. `"he_normal"`.
        kernel_regularizer: optional regularizer, e.g. `"l2:5e-4"`.
        kernel_constraint: optional constraint, e.g. `"max_norm:3"`.
        activation_after_pool: bool, apply each stage's last norm and activation
            after its max pooling (same result for ReLU, 4× fewer values).
        final_pool: bool, whether the last stage ends in max pooling too (the
            paper's). With False the head sees the larger last map: on 28×28 inputs
            a 7×7 map rather than 3×3, which Fashion-MNIST's shapes reward.
        head: `"dense"` (flatten, dense layers, dropout: the paper's),
            `"gap"` (global average pooling then the classifier) or `"dense_gap"`
            (global pooling then the dense layers).
        dense_units: tuple of int, the hidden dense widths of the dense head.
        dropout: float in [0, 1), dropout before each dense layer of the head.
        preprocessing: `"squeeze"` (raw 0..255 pixels to [-1, 1] inside the model,
            so the exported model takes raw images) or None.
        classifier_activation: str, `"softmax"` or None for logits.
        name: optional model name.
        pad_to_multiple: optional int; zero-pad the input inside the model up to
            multiples of it (8 for three poolings). Without it, a warning says when
            a stage's 2×2 pooling drops a row or column of an odd-sized map.

    Returns:
        A `keras.Model`.

    Example:

    >>> model = vgg("small", input_shape=(28, 28, 1), classes=10, norm="batch", head="dense")
    """
    stages = _resolve_config(config)
    if head not in _HEADS:
        raise ValueError(f"Argument `head` must be one of {list(_HEADS)}. Received: head={head!r}")
    check_rate("dropout", dropout)
    if not width > 0:
        raise ValueError(f"Argument `width` must be > 0. Received: width={width}")
    check_preprocessing(preprocessing)
    check_pad_to_multiple(pad_to_multiple)
    poolings = len(stages) if final_pool else len(stages) - 1
    height, width_px = padded_size(input_shape, pad_to_multiple)
    first_size = (height, width_px)
    for _ in range(poolings):
        height, width_px = height // 2, width_px // 2
    if height < 1 or width_px < 1:
        raise ValueError(
            f"Argument `config` has {len(stages)} stages, each halving the image, which "
            f"shrinks an input of {tuple(input_shape[:2])} to zero. Use at most "
            f"{min(input_shape[:2]).bit_length() - 1} stages for this input. "
            f"Received: config={config!r}"
        )
    warn_dropped_pixels(first_size, poolings, "vgg")

    scaled = width_scaler(width)

    conv_kwargs = conv_options(
        norm, activation, kernel_initializer, kernel_regularizer, kernel_constraint
    )
    inputs, x = apply_image_input(input_shape, preprocessing, pad_to_multiple)
    for index, stage in enumerate(stages):
        x = apply_vgg_stage(
            x,
            [scaled(w) for w in stage],
            pool=final_pool or index < len(stages) - 1,
            activation_after_pool=activation_after_pool,
            name=f"block{index + 1}",
            **conv_kwargs,
        )
    if include_top:
        if head == "gap":
            x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
        else:
            if head == "dense":
                x = keras.layers.Flatten(name="flatten")(x)
            else:
                x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
            for index, units in enumerate(dense_units):
                x = _apply_dense(x, scaled(units), dropout, f"fc{index + 1}", **conv_kwargs)
        if dropout and head == "gap":
            x = keras.layers.Dropout(dropout, name="head_dropout")(x)
        # float32 even under a mixed policy: softmax in bfloat16 is too coarse.
        x = keras.layers.Dense(
            classes,
            activation=classifier_activation,
            kernel_initializer="glorot_uniform",
            dtype="float32",
            name="predictions",
        )(x)
    return keras.Model(inputs, x, name=name or "vgg")


def _apply_dense(x, units, dropout, name, norm, activation, kernel_initializer,
                 kernel_regularizer, kernel_constraint):
    # The paper's head is fc → ReLU → dropout; with a norm, fc → norm → act → dropout.
    dense = keras.layers.Dense(
        units,
        use_bias=norm is None or part_name(norm) in ("lrn", normalization.WEIGHT),
        kernel_initializer=initializers.get(kernel_initializer),
        kernel_regularizer=regularizers.get(kernel_regularizer),
        kernel_constraint=constraints.get(kernel_constraint),
        name=name,
    )
    x = normalization.weight_normalized(dense, norm)(x)
    if norm is not None and norm != normalization.WEIGHT:
        x = normalization.get(norm, name=f"{name}_{part_name(norm, 'norm')}", channels=units,
                              rank=2)(x)
    x = activations.layer(activation, name=f"{name}_{part_name(activation)}")(x)
    if dropout:
        x = keras.layers.Dropout(dropout, name=f"{name}_dropout")(x)
    return x


# Named presets: name -> keyword arguments of `vgg` (presets are data, the builder is code).
PRESETS = {
    "vgg11": dict(config="A"),
    "vgg13": dict(config="B"),
    "vgg16": dict(config="D"),
    "vgg19": dict(config="E"),
    "vgg11_bn": dict(config="A", norm="batch"),
    "vgg13_bn": dict(config="B", norm="batch"),
    "vgg16_bn": dict(config="D", norm="batch"),
    "vgg19_bn": dict(config="E", norm="batch"),
    # Tuned for 93.5 % on Fashion-MNIST within 3x the keras.io convnet's CPU time (the
    # default recipe's model until fashion_vgg_lean below): one conv at 28×28, two at
    # 14×14, one at 7×7 whose map goes unpooled to the dense head.
    "fashion_vgg_small": dict(
        config=[[32], [64, 64], [128]], input_shape=(28, 28, 1), classes=10, norm="batch",
        head="dense", dense_units=(256,), dropout=0.4, activation_after_pool=True,
        final_pool=False,
    ),
}
# fashion_vgg_small with a 16-filter first stage and [48, 64] in the second: 26 % fewer
# multiply-adds, ~24 % more training images/s on 2 cores of an Intel Xeon with AVX-512
# in float32 (the first stage's batch norm, ReLU and pooling run on the largest maps).
# The default recipe's model: with 10-view flip_shift TTA it clears the recipe's float32
# goal over six seeds; with flip TTA it sits on the accuracy line (the README's
# candidates table, benchmarks/results/candidate_vgg_lean_tta*.json;
# kerasrecipes/recipes/fashion_mnist.py).
PRESETS["fashion_vgg_lean"] = dict(PRESETS["fashion_vgg_small"], config=[[16], [48, 64], [128]])
