"""What a trained base network offers to fine-tuning: its blocks, its feature layers.

A base is a Functional or Sequential `keras.Model`. Its layers are grouped into
**blocks** by name, the way Keras and this library name them: a layer named
`block3_conv1_bn` belongs to block `block3`, `conv4_block2_out` (ResNet) to `conv4`,
`fc1_relu` to `fc1`; a layer whose name holds no number is a block of its own. Only
blocks that hold weights count. The base's classifier (its last `Dense` layer) is not a
block: its input is the **top-layer features**.
"""

import os
import re

import keras

# The block key is everything up to the first number that ends a name part.
_BLOCK_KEY = re.compile(r"^(.*?\d+)(?:_|$)")
SAVED_MODEL_FILE = "saved_model.pb"


def load(base):
    """Returns a `keras.Model` for a base given as a model or a path, never the caller's object.

    Args:
        base: a Functional/Sequential `keras.Model` (copied, so fine-tuning leaves it
            untouched), the path of a `.keras` file (loaded with `safe_mode=True`), or
            a SavedModel folder exported by `kerasrecipes.export.save` (wrapped as a
            frozen `keras.layers.TFSMLayer`; see `is_frozen`).
            A `keras.applications` network is passed as a model:
            `keras.applications.MobileNetV2(weights="path/to/weights.h5", ...)`
            (`weights="imagenet"` downloads, so only where the internet exists).

    Returns:
        A `keras.Model`.

    Raises:
        ValueError: a path that is neither a `.keras` file nor a SavedModel folder.
        TypeError: anything else, or a subclassed model whose layers cannot be reached.
    """
    if isinstance(base, (str, os.PathLike)):
        path = os.fspath(base)
        if path.endswith(".keras") and os.path.isfile(path):
            import kerasrecipes  # noqa: F401  (registers the custom objects)

            return keras.saving.load_model(path, safe_mode=True)
        if os.path.isfile(os.path.join(path, SAVED_MODEL_FILE)):
            return _saved_model_base(path)
        raise ValueError(
            "Argument `base` must be a keras.Model, an existing .keras file or a SavedModel "
            f"folder (holding {SAVED_MODEL_FILE}). Received: base={path!r}"
        )
    if not isinstance(base, keras.Model):
        raise TypeError(
            "Argument `base` must be a keras.Model, a .keras path or a SavedModel folder. "
            f"Received: base={base!r} of type {type(base).__name__}"
        )
    if is_frozen(base):
        return base  # a SavedModel base: nothing of it can change
    if not _is_graph_model(base):
        raise TypeError(
            "Argument `base` must be a Functional or Sequential keras.Model, whose layers "
            f"fine-tuning can reach. Received: a subclassed {type(base).__name__}"
        )
    copy = keras.models.clone_model(base)
    copy.set_weights(base.get_weights())
    return copy


def _is_graph_model(model):
    # A subclassed model has no symbolic inputs and outputs to reach layers through.
    try:
        return bool(model.inputs) and bool(model.outputs)
    except (AttributeError, ValueError):
        return False


def _saved_model_base(path):
    # The export's only endpoint is `serving_default` (uint8 images in, probabilities
    # out): no intermediate layer is reachable, so such a base is a frozen feature
    # extractor of the base's class probabilities.
    from kerasrecipes.transfer.saved_model import saved_model_features

    return saved_model_features(path)


def is_frozen(model):
    """True for a base that can only extract features (a SavedModel): no layer can be unfrozen."""
    return any(type(layer).__name__ == "TFSMLayer" for layer in model.layers)


def classifier_layer(model):
    """Returns the base's classifier (its last `Dense` layer) or None when it has none."""
    for layer in reversed(model.layers):
        if isinstance(layer, keras.layers.Dense):
            return layer
        if layer.weights:
            return None
    return None


def top_features(model):
    """Returns `(layer_name, tensor)`: the top-layer features, the classifier's input.

    For a base without a classifier (`include_top=False`) it is the model's output.
    """
    classifier = classifier_layer(model)
    if classifier is None:
        return model.layers[-1].name, model.outputs[0]
    tensor = classifier.input
    for layer in model.layers:
        try:
            if layer.output is tensor:
                return layer.name, tensor
        except (AttributeError, ValueError):  # a layer called more than once
            continue
    return model.layers[0].name, tensor


def block_key(layer_name):
    """Returns the block a layer name belongs to (`"block3_conv1_bn"` → `"block3"`)."""
    match = _BLOCK_KEY.match(layer_name)
    return match.group(1) if match else layer_name


def blocks(model):
    """Returns the base's blocks below its classifier, bottom to top.

    Args:
        model: a Functional or Sequential `keras.Model`.

    Returns:
        A list of `(block_name, [layers])`, only blocks with weights, in the model's
        order, without the classifier.

    Example:

    >>> [name for name, _ in blocks(kr.models.get("fashion_vgg_small"))]
    ['block1', 'block2', 'block3', 'fc1']
    """
    classifier = classifier_layer(model)
    groups = []
    for layer in model.layers:
        if layer is classifier or isinstance(layer, keras.layers.InputLayer):
            continue
        key = block_key(layer.name)
        # A weightless layer (activation, add, pooling) belongs to the block it follows,
        # unless it changes the rank (flatten, global pooling: the end of the conv blocks).
        joins = groups and (groups[-1][0] == key or not layer.weights and
                            _rank(layer) == _rank(groups[-1][1][-1]))
        if joins:
            groups[-1][1].append(layer)
        else:
            groups.append((key, [layer]))
    return [(name, layers) for name, layers in groups if any(l.weights for l in layers)]


def _rank(layer):
    try:
        return len(layer.output.shape)
    except (AttributeError, ValueError):  # a layer called more than once
        return None


def layer_names(model):
    """Returns the names of the model's layers, in order."""
    return [layer.name for layer in model.layers]


def get_layer(model, name):
    """Returns the layer `name`, or raises a `ValueError` listing the layer names.

    Raises:
        ValueError: no layer of that name.
    """
    for layer in model.layers:
        if layer.name == name:
            return layer
    raise ValueError(
        f"Argument `layer` must name a layer of the base. Received: layer={name!r}; "
        f"the base's layers are {layer_names(model)}"
    )


def is_batch_norm(layer):
    """True for a batch-normalisation layer (its moving statistics must stay frozen)."""
    return isinstance(layer, keras.layers.BatchNormalization)


def pool_features(tensor, grid, name):
    """Average-pools a `(N, H, W, C)` feature map to about `grid × grid` cells, flattened.

    A `(N, D)` tensor passes unchanged. `grid=1` is global average pooling.
    """
    if len(tensor.shape) == 2:
        return tensor
    if len(tensor.shape) != 4:
        raise ValueError(
            "Argument `layer` must name a layer whose output is (N, D) or (N, H, W, C). "
            f"Received: a layer with output shape {tuple(tensor.shape)}"
        )
    if grid == 1:
        return keras.layers.GlobalAveragePooling2D(name=f"{name}_gap")(tensor)
    height, width = tensor.shape[1], tensor.shape[2]
    pool = (max(1, height // grid), max(1, width // grid))
    if pool != (1, 1):
        tensor = keras.layers.AveragePooling2D(pool, name=f"{name}_pool")(tensor)
    return keras.layers.Flatten(name=f"{name}_flatten")(tensor)


def feature_model(model, layer=None, grid=2):
    """Returns a `keras.Model` from the base's input to (pooled) features of one layer.

    Args:
        model: the base, a Functional or Sequential `keras.Model`.
        layer: optional str, a layer name; defaults to the top-layer features
            (`top_features`).
        grid: int, a feature map is average-pooled to about `grid × grid` cells
            (`pool_features`); the top layer of a base without a classifier is
            globally pooled.

    Returns:
        A `keras.Model` sharing the base's layers, named `features_<layer>`.

    Raises:
        ValueError: `layer` is not a layer of the base (the message lists them).
    """
    if layer is None or layer == top_features(model)[0]:
        name, tensor = top_features(model)
        if classifier_layer(model) is None:
            grid = 1
    else:
        target = get_layer(model, layer)
        name, tensor = target.name, target.output
    return keras.Model(model.inputs, pool_features(tensor, grid, f"features_{name}"),
                       name=f"features_{name}")
