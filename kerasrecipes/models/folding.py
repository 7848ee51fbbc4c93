"""Batch norm folded into the convolution (or dense layer) before it, for inference.

At inference a `BatchNormalization` layer is a fixed per-channel affine map,
`y = s * (z - mean) + beta` with `s = gamma / sqrt(variance + epsilon)`. When `z` is the
output of a convolution or dense layer with no activation of its own, the map can be
multiplied into that layer's kernel and bias, and the batch norm layer disappears: one
pass over the activations fewer per block, the same outputs up to float rounding.

A 2×2 max pool between the two (the seeds' "pool before ReLU": conv → pool → BN → ReLU)
does not stop the fold where every `s` is positive, since then
`max(s * z + c) = s * max(z) + c`; a channel with `s <= 0` leaves that batch norm in place.

Keras has no such transform, and TensorFlow's graph optimizer does not do it for Keras 3
models: it fuses a `FusedBatchNorm` op into the `Conv2D` before it, but Keras 3's batch
norm runs as `tf.nn.batch_normalization`'s separate elementwise ops. Hence this module. It
uses the public layer API only, so it runs under any Keras backend.

Example:

>>> folded = fold_batch_norm(recipe.model)
>>> np.allclose(folded.predict(x), recipe.model.predict(x), atol=1e-4)
True
>>> kr.export.save(folded, "saved_models/fashion_mnist_vgg", class_names=recipe.class_names)

Measured (`benchmarks/fold.py`, batch 512, float32, 2 AMD EPYC cores): the Fashion-MNIST
SqueezeNet (25 batch norms) serves 1.1-1.2x the images/s once folded, in Keras and as a
SavedModel, over four runs; the default VGG (5 batch norms, its time in the
convolutions) 0.99-1.16x, within the host's noise.
"""

import keras
import numpy as np

_FOLDABLE = (keras.layers.Conv1D, keras.layers.Conv2D, keras.layers.Conv3D, keras.layers.Dense)
_POOLS = (keras.layers.MaxPooling1D, keras.layers.MaxPooling2D, keras.layers.MaxPooling3D)


def fold_batch_norm(model):
    """Returns a copy of `model` with each foldable batch norm merged into its producer.

    A `BatchNormalization` layer is folded when its input comes from a `Conv1D/2D/3D` or
    `Dense` layer (channels last, no activation, used by nothing else), directly or
    through a max pool that only it uses and whose folded scales are all positive. The
    folded producer gets a bias; the batch norm becomes an `Identity` layer of the same
    name. Every other layer and weight is copied unchanged; `model` is not modified.

    Args:
        model: a functional or `Sequential` `keras.Model`, built.

    Returns:
        A new, uncompiled `keras.Model` with the same inputs and outputs (to float
        rounding) in inference mode. Its `folded_batch_norms` attribute lists the names
        of the folded batch norm layers.

    Raises:
        ValueError: `model` is not a built functional or `Sequential` model.

    Example:

    >>> model = kr.models.get("fashion_vgg_small")
    >>> folded = fold_batch_norm(model)
    >>> folded.folded_batch_norms
    ['block1_conv1_batch', 'block2_conv1_batch', 'block2_conv2_batch', 'block3_conv1_batch',
     'fc1_batch']
    """
    if not isinstance(model, keras.Model):
        raise ValueError(
            f"Argument `model` must be a functional or Sequential keras.Model. Received: model={model!r}")
    if not isinstance(model, keras.Sequential) and type(model).__name__ != "Functional":
        raise ValueError(
            "Argument `model` must be a functional or Sequential keras.Model; a subclassed "
            f"model's graph cannot be rewritten. Received: a {type(model).__name__}")
    if not model.built or not model.inputs:
        raise ValueError(
            f"Argument `model` must be built (it has no inputs yet). Received: model={model!r}")
    layers = model.layers
    plan = _plan(model, layers)
    folded_producers = {producer: bn for bn, producer in plan.items()}

    def clone(layer):
        if layer.name in plan:
            return keras.layers.Identity(name=layer.name, dtype=layer.dtype_policy.name)
        config = layer.get_config()
        if layer.name in folded_producers:
            config["use_bias"] = True
        return layer.__class__.from_config(config)

    def call(layer, *args, **kwargs):
        if layer.name in plan:  # the Identity takes no batch-norm arguments (mask, training)
            return layer(args[0])
        return layer(*args, **kwargs)

    # A Sequential model calls its layers without the batch-norm arguments by itself.
    sequential = isinstance(model, keras.Sequential)
    folded = keras.models.clone_model(model, clone_function=clone,
                                      call_function=None if sequential else call)
    for layer in layers:
        if layer.name in plan or not layer.weights:
            continue
        target = folded.get_layer(layer.name)
        if layer.name in folded_producers:
            target.set_weights(_folded_weights(layer, model.get_layer(folded_producers[layer.name])))
        else:
            target.set_weights(layer.get_weights())
    folded.folded_batch_norms = sorted(plan)
    return folded


def _plan(model, layers):
    """Returns {batch norm name: producer name} of the folds to make."""
    producers, consumers = {}, {}
    for layer in layers:
        try:
            outputs, inputs = layer.output, layer.input
        except (AttributeError, ValueError):  # a shared layer (several nodes): leave alone
            continue
        for tensor in keras.tree.flatten(outputs):
            producers[id(tensor)] = layer
        for tensor in keras.tree.flatten(inputs):
            consumers.setdefault(id(tensor), []).append(layer)
    for tensor in keras.tree.flatten(model.outputs):
        consumers.setdefault(id(tensor), []).append(None)  # a model output: keep it

    def only_consumer_is(layer, consumer):
        return consumers.get(id(layer.output), []) == [consumer]

    plan = {}
    for layer in layers:
        if not isinstance(layer, keras.layers.BatchNormalization):
            continue
        try:
            source = producers.get(id(layer.input))
        except (AttributeError, ValueError):  # shared
            continue
        pool = None
        if isinstance(source, _POOLS) and only_consumer_is(source, layer):
            pool, source = source, producers.get(id(source.input))
            if not np.all(_scale(layer) > 0):
                continue
        if (isinstance(source, _FOLDABLE) and only_consumer_is(source, pool or layer)
                and _channels_last(source, layer)
                and keras.activations.serialize(source.activation) == "linear"):
            plan[layer.name] = source.name
    return plan


def _channels_last(producer, bn):
    axes = bn.axis if isinstance(bn.axis, (list, tuple)) else [bn.axis]
    rank = len(producer.output.shape)
    return (len(axes) == 1 and axes[0] in (-1, rank - 1)
            and getattr(producer, "data_format", "channels_last") == "channels_last")


def _scale(bn):
    variance = keras.ops.convert_to_numpy(bn.moving_variance).astype("float64")
    gamma = (keras.ops.convert_to_numpy(bn.gamma).astype("float64") if bn.scale
             else np.ones_like(variance))
    return gamma / np.sqrt(variance + bn.epsilon)


def _folded_weights(producer, bn):
    """The producer's `[kernel, bias]` with `bn`'s inference-time affine map multiplied in."""
    kernel = keras.ops.convert_to_numpy(producer.kernel)
    dtype = kernel.dtype
    bias = (keras.ops.convert_to_numpy(producer.bias).astype("float64") if producer.use_bias
            else np.zeros(kernel.shape[-1]))
    mean = keras.ops.convert_to_numpy(bn.moving_mean).astype("float64")
    beta = (keras.ops.convert_to_numpy(bn.beta).astype("float64") if bn.center
            else np.zeros_like(mean))
    scale = _scale(bn)
    return [(kernel.astype("float64") * scale).astype(dtype),
            ((bias - mean) * scale + beta).astype(dtype)]
