"""SqueezeNet: AlexNet-level accuracy with 50× fewer parameters, from Fire modules.

With its defaults (`classes=1000`, `input_shape=(224, 224, 3)`, no norm) `squeezenet`
builds exactly the reference architecture: v1.0 has 1,248,424 parameters, v1.1 has
1,235,496, with the reference's map sizes (Caffe's ceil-rounded 3×3/2 max pools).

Reference:
    Iandola et al., "SqueezeNet: AlexNet-level accuracy with 50x fewer parameters and
    <0.5MB model size", 2016 (https://arxiv.org/abs/1602.07360); reference models
    https://github.com/forresti/SqueezeNet (v1.0 and v1.1).

Measured on Fashion-MNIST by `benchmarks/tips.py` (effect of A over B, verdict):

Measured (tips.json, small_models: squeezenet vs vgg): -1,551,488 ± 0 params, confirmed (3 seeds).
"""

import math

import keras

from kerasrecipes import initializers as initializers_lib
from kerasrecipes.layers.blocks import apply_conv_norm_act
from kerasrecipes.layers.blocks import check_rate
from kerasrecipes.layers.fire import BYPASSES
from kerasrecipes.layers.fire import apply_fire_block
from kerasrecipes.layers.pooling import CeilMaxPooling2D
from kerasrecipes.models.common import apply_image_input
from kerasrecipes.models.common import check_pad_to_multiple
from kerasrecipes.models.common import check_preprocessing
from kerasrecipes.models.common import conv_options
from kerasrecipes.models.common import padded_size
from kerasrecipes.models.common import width_scaler

# conv1 (filters, kernel) and the body: "pool" is a 3×3/2 max pool, a tuple is a Fire
# module (squeeze1x1, expand1x1, expand3x3); Fire modules are numbered fire2..fire9.
ARCHITECTURES = {
    # Table 1 of the paper.
    "1.0": dict(conv1=(96, 7), body=[
        "pool", (16, 64, 64), (16, 64, 64), (32, 128, 128),
        "pool", (32, 128, 128), (48, 192, 192), (48, 192, 192), (64, 256, 256),
        "pool", (64, 256, 256),
    ]),
    # The reference repository's v1.1: 2.4× less computation, same accuracy.
    "1.1": dict(conv1=(64, 3), body=[
        "pool", (16, 64, 64), (16, 64, 64),
        "pool", (32, 128, 128), (32, 128, 128),
        "pool", (48, 192, 192), (48, 192, 192), (64, 256, 256), (64, 256, 256),
    ]),
}
STEMS = ("imagenet", "small")


def _pooled(size):
    return math.ceil((size - 3) / 2) + 1


def squeezenet(
    version="1.1",
    input_shape=(224, 224, 3),
    classes=1000,
    include_top=True,
    stem="imagenet",
    bypass=None,
    width=1.0,
    norm=None,
    activation="relu",
    kernel_initializer="glorot_uniform",
    kernel_regularizer=None,
    kernel_constraint=None,
    classifier_initializer="small_random:0.01",
    dropout=0.5,
    preprocessing="squeeze",
    classifier_activation="softmax",
    name=None,
    pad_to_multiple=None,
):
    """Builds a SqueezeNet classifier.

    Args:
        version: `"1.0"` (the paper's Table 1) or `"1.1"` (the reference's v1.1:
            a 3×3 conv1 and earlier pooling). Defaults to `"1.1"`.
        input_shape: tuple `(H, W, C)`. Defaults to `(224, 224, 3)`.
        classes: int, number of classes. Defaults to 1000.
        include_top: bool, whether to add dropout, conv10, global average pooling
            and the classifier activation. Without it the model ends at fire9.
        stem: `"imagenet"` (the reference conv1: 7×7/2 or 3×3/2, no padding) or
            `"small"` (a 3×3 stride-1 `same` conv1, for 28×28 / 32×32 inputs: the
            three max pools then take 28 → 14 → 7 → 3).
        bypass: None, `"simple"` (identity bypass around fire3, 5, 7 and 9: where
            the channels match) or `"complex"` (also a 1×1 conv bypass around the
            others), as in section 6 of the paper.
        width: float > 0, multiplies every conv's filters (not conv10's).
        norm: None (the reference) or a name from
            `kerasrecipes.layers.normalization.names()`, after each conv but
            conv10, before the activation.
        activation: activation name. Defaults to `"relu"`.
        kernel_initializer: initializer of every conv but conv10. Defaults to
            `"glorot_uniform"` (the reference's Caffe "xavier").
        kernel_regularizer: optional regularizer, e.g. `"l2:2e-4"`.
        kernel_constraint: optional constraint, e.g. `"max_norm:3"`.
        classifier_initializer: conv10's initializer. Defaults to
            `"small_random:0.01"`, the reference's Gaussian with std 0.01.
        dropout: float in [0, 1), the dropout before conv10. Defaults to 0.5.
        preprocessing: `"squeeze"` (raw 0..255 pixels to [-1, 1] inside the model,
            so exported models take raw images; no parameters) or None.
        classifier_activation: `"softmax"` or None for logits.
        name: optional model name.
        pad_to_multiple: optional int, zero-pad the input in the model to multiples
            of it (the pools round up, so none drops pixels; padding evens the maps).

    Returns:
        A `keras.Model`.

    Raises:
        ValueError: unknown `version`, `stem` or `bypass`, a bad rate or width, or
            an input too small for the chosen stem, naming the argument and value.

    Example:

    >>> model = squeezenet("1.1", input_shape=(28, 28, 1), classes=10, stem="small",
    ...                    norm="batch")
    """
    version = str(version)
    if version not in ARCHITECTURES:
        raise ValueError(
            f"Argument `version` must be one of {sorted(ARCHITECTURES)}. Received: version={version!r}"
        )
    if stem not in STEMS:
        raise ValueError(f"Argument `stem` must be one of {list(STEMS)}. Received: stem={stem!r}")
    if bypass not in BYPASSES:
        raise ValueError(f"Argument `bypass` must be one of {list(BYPASSES)}. Received: bypass={bypass!r}")
    check_rate("dropout", dropout)
    if not width > 0:
        raise ValueError(f"Argument `width` must be > 0. Received: width={width}")
    if not (isinstance(classes, int) and classes >= 1):
        raise ValueError(f"Argument `classes` must be an integer >= 1. Received: classes={classes!r}")
    check_preprocessing(preprocessing)
    if len(input_shape) != 3:
        raise ValueError(
            f"Argument `input_shape` must be (H, W, C). Received: input_shape={tuple(input_shape)}"
        )
    architecture = ARCHITECTURES[version]
    conv1_filters, conv1_kernel = architecture["conv1"]
    check_pad_to_multiple(pad_to_multiple)
    _check_size((*padded_size(input_shape, pad_to_multiple), input_shape[2]), stem,
                conv1_kernel, architecture["body"], version)

    scaled = width_scaler(width)

    conv_kwargs = conv_options(
        norm, activation, kernel_initializer, kernel_regularizer, kernel_constraint
    )
    inputs, x = apply_image_input(input_shape, preprocessing, pad_to_multiple)
    if stem == "imagenet":
        x = apply_conv_norm_act(x, scaled(conv1_filters), kernel_size=conv1_kernel, strides=2,
                                padding="valid", name="conv1", **conv_kwargs)
    else:
        x = apply_conv_norm_act(x, scaled(conv1_filters), kernel_size=3, strides=1,
                                padding="same", name="conv1", **conv_kwargs)
    fire_index, pool_index = 2, 1
    for item in architecture["body"]:
        if item == "pool":
            x = CeilMaxPooling2D(3, 2, name=f"pool{pool_index}")(x)
            pool_index += 1
            continue
        squeeze, expand1x1, expand3x3 = (scaled(n) for n in item)
        matches = x.shape[-1] == expand1x1 + expand3x3
        fire_bypass = "simple" if (bypass and matches) else ("complex" if bypass == "complex" else None)
        x = apply_fire_block(x, squeeze, expand1x1, expand3x3, bypass=fire_bypass,
                             name=f"fire{fire_index}", **conv_kwargs)
        fire_index += 1
    if include_top:
        if dropout:
            x = keras.layers.Dropout(dropout, name="drop9")(x)
        x = apply_conv_norm_act(
            x, classes, kernel_size=1, padding="valid", norm=None, activation=activation,
            kernel_initializer=initializers_lib.get(classifier_initializer),
            kernel_regularizer=kernel_regularizer, kernel_constraint=kernel_constraint,
            name="conv10",
        )
        # Pooling and softmax in float32 even under a mixed policy: a bfloat16 softmax
        # is too coarse to sum to 1.
        x = keras.layers.GlobalAveragePooling2D(dtype="float32", name="avg_pool")(x)
        if classifier_activation is not None:
            x = keras.layers.Activation(classifier_activation, dtype="float32",
                                        name="predictions")(x)
    return keras.Model(inputs, x, name=name or f"squeezenet_{version.replace('.', '_')}")


def _check_size(input_shape, stem, conv1_kernel, body, version):
    smallest = min(input_shape[0], input_shape[1])
    size = (smallest - conv1_kernel) // 2 + 1 if stem == "imagenet" else smallest
    needed = size >= 1
    for item in body:
        if item == "pool":
            needed = needed and size >= 3
            size = _pooled(size) if size >= 3 else 0
    if not needed:
        raise ValueError(
            f"Argument `input_shape` is too small for SqueezeNet {version} with stem={stem!r}: "
            f"its conv1 and three 3×3/2 max pools need a larger map"
            + (" (use stem='small' for 28×28 / 32×32 inputs)" if stem == "imagenet" else "")
            + f". Received: input_shape={tuple(input_shape)}"
        )


# Named presets: name -> keyword arguments of `squeezenet`.
PRESETS = {
    "squeezenet_1_0": dict(version="1.0"),
    "squeezenet_1_1": dict(version="1.1"),
    "squeezenet_1_0_bypass": dict(version="1.0", bypass="simple"),
    "squeezenet_1_0_complex_bypass": dict(version="1.0", bypass="complex"),
    "squeezenet_1_1_bn": dict(version="1.1", norm="batch"),
    "fashion_squeezenet": dict(
        version="1.1", stem="small", input_shape=(28, 28, 1), classes=10, norm="batch",
        kernel_initializer="he_normal", dropout=0.3,
    ),
    "cifar_squeezenet": dict(
        version="1.1", stem="small", input_shape=(32, 32, 3), classes=10, norm="batch",
        kernel_initializer="he_normal", dropout=0.3,
    ),
}
