"""Small residual networks: a 3×3 stem and stages of residual blocks.

The seeds' "adaptive" architectures ("ResNet and Inception adjust to the complexity
needed", "Deep Learning Training Tricks"), sized for 28×28 and 32×32 images so a VGG,
a SqueezeNet and a residual net can be compared on the same recipe by `--set model=`.
The layout is the CIFAR ResNet of He et al. (section 4.2): a 3×3 conv, then stages of
basic blocks whose first block halves the map (stride 2) and changes the width through a
1×1 projection shortcut, then global average pooling and the classifier.

Reference:
    He et al., "Deep Residual Learning for Image Recognition", CVPR 2016
    (https://arxiv.org/abs/1512.03385).
"""

import keras

from kerasrecipes.layers.blocks import apply_conv_norm_act
from kerasrecipes.layers.blocks import apply_residual_block
from kerasrecipes.layers.blocks import check_rate
from kerasrecipes.models.common import apply_image_input
from kerasrecipes.models.common import check_preprocessing
from kerasrecipes.models.common import conv_options
from kerasrecipes.models.common import width_scaler


def _check_stages(stage_filters, stage_blocks):
    ok = (
        isinstance(stage_filters, (list, tuple)) and isinstance(stage_blocks, (list, tuple))
        and len(stage_filters) == len(stage_blocks) and len(stage_filters) >= 1
        and all(isinstance(f, int) and f > 0 for f in stage_filters)
        and all(isinstance(b, int) and b > 0 for b in stage_blocks)
    )
    if not ok:
        raise ValueError(
            "Arguments `stage_filters` and `stage_blocks` must be lists of positive integers "
            f"of the same length. Received: stage_filters={stage_filters!r}, "
            f"stage_blocks={stage_blocks!r}"
        )


def resnet(
    stage_filters=(16, 32, 64),
    stage_blocks=(2, 2, 2),
    input_shape=(32, 32, 3),
    classes=10,
    include_top=True,
    width=1.0,
    norm="batch",
    activation="relu",
    kernel_initializer="he_normal",
    kernel_regularizer=None,
    kernel_constraint=None,
    dropout=0.0,
    preprocessing="squeeze",
    classifier_activation="softmax",
    name=None,
    pad_to_multiple=None,
):
    """Builds a small residual classifier.

    With the defaults it is the CIFAR ResNet-14 layout of He et al. (3 stages of 2
    basic blocks, widths 16/32/64): 3×3 stem at the first width, every stage after
    the first starts with a stride-2 block whose shortcut is a 1×1 projection.

    Args:
        stage_filters: list of int, the width of each stage. Defaults to (16, 32, 64).
        stage_blocks: list of int, the residual blocks in each stage (same length).
        input_shape: tuple `(H, W, C)`. Defaults to `(32, 32, 3)`.
        classes: int. Defaults to 10.
        include_top: bool, whether to add global pooling and the classifier.
        width: float > 0, multiplies every conv width.
        norm: a name from `kerasrecipes.layers.normalization.names()`, `"weight"`
            or None. Defaults to `"batch"`.
        activation: activation name. Defaults to `"relu"`.
        kernel_initializer: initializer name. Defaults to `"he_normal"`.
        kernel_regularizer: optional regularizer, e.g. `"l2:1e-4"`.
        kernel_constraint: optional constraint, e.g. `"max_norm:3"`.
        dropout: float in [0, 1), dropout before the classifier. Defaults to 0.
        preprocessing: `"squeeze"` (raw pixels to [-1, 1] in the model) or None.
        classifier_activation: `"softmax"` or None for logits.
        name: optional model name.
        pad_to_multiple: optional int, zero-pad the input in the model to multiples
            of it (stride-2 `same` convs never drop pixels, but odd maps are padded
            unevenly).

    Returns:
        A `keras.Model`.

    Example:

    >>> model = resnet((16, 32, 64), (2, 2, 2), input_shape=(28, 28, 1), classes=10)
    """
    _check_stages(stage_filters, stage_blocks)
    check_rate("dropout", dropout)
    if not width > 0:
        raise ValueError(f"Argument `width` must be > 0. Received: width={width}")
    check_preprocessing(preprocessing)
    scaled = width_scaler(width)
    conv_kwargs = conv_options(
        norm, activation, kernel_initializer, kernel_regularizer, kernel_constraint
    )
    inputs, x = apply_image_input(input_shape, preprocessing, pad_to_multiple)
    x = apply_conv_norm_act(x, scaled(stage_filters[0]), 3, name="stem", **conv_kwargs)
    for stage, (filters, blocks) in enumerate(zip(stage_filters, stage_blocks), start=1):
        for block in range(1, blocks + 1):
            strides = 2 if (stage > 1 and block == 1) else 1
            x = apply_residual_block(x, scaled(filters), strides=strides,
                                     name=f"stage{stage}_block{block}", **conv_kwargs)
    if include_top:
        x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name="head_dropout")(x)
        # float32 even under a mixed policy: softmax in bfloat16 is too coarse.
        x = keras.layers.Dense(classes, activation=classifier_activation,
                               kernel_initializer="glorot_uniform", dtype="float32",
                               name="predictions")(x)
    return keras.Model(inputs, x, name=name or "resnet")


# Named presets: name -> keyword arguments of `resnet`.
PRESETS = {
    "fashion_resnet": dict(input_shape=(28, 28, 1), classes=10, dropout=0.2),
    "cifar_resnet": dict(input_shape=(32, 32, 3), classes=10, dropout=0.2),
}
