"""Per-layer activation and gradient statistics, and the problems they reveal.

The seeds explain initialisation by what happens to the signal: with all-zero weights
"every neuron computes the same output" (the units of a layer are identical), with
`0.001·N(0,1)` a deep plain stack's activations shrink layer after layer ("layer
activation outputs either explode or vanish"), with He init their variance stays put,
and ReLU units can die. These functions measure exactly that on a probe batch:
per layer the activation mean and standard deviation, the spread between its units, the
fraction of dead ReLU units, the fraction of saturated sigmoid/tanh units ("saturated
neurons kill the gradients"), and the norm of the gradient of its weights.

Keras has no such measurement (TensorBoard's histograms show weights, not activations of
a fixed batch, and no verdict), hence this module. Activations use a Keras feature
model and run on any backend; gradients need the backend's autodiff and are implemented
for TensorFlow and JAX.
"""

import math

import keras
import numpy as np

from kerasrecipes._names import unknown_name_error


def _is_relu(layer):
    if isinstance(layer, keras.layers.ReLU):
        return True
    activation = getattr(layer, "activation", None)
    if activation is None:
        return False
    name = getattr(activation, "__name__", None) or getattr(activation, "name", "")
    return name == "relu"


# A tanh output beyond ±0.99 (|x| > 2.65), a sigmoid one outside [0.01, 0.99]
# (|x| > 4.6): the derivative there is below 2 % of its peak.
SATURATION = 0.99


def _saturating(layer):
    activation = getattr(layer, "activation", None)
    name = getattr(activation, "__name__", None) or getattr(activation, "name", "")
    return name if name in ("sigmoid", "tanh") else None


def _saturated(values, kind):
    if kind == "tanh":
        return np.abs(values) > SATURATION
    return np.abs(values - 0.5) > SATURATION - 0.5


def probe_layers(model, layers=None):
    """Returns the layers of `model` to probe: every layer with one output, or `layers`.

    Args:
        model: a built functional or Sequential `keras.Model`.
        layers: optional list of layer names; defaults to all but the input layers.

    Raises:
        ValueError: a name in `layers` is not a layer of `model`.
    """
    candidates = [
        layer for layer in model.layers
        if not isinstance(layer, keras.layers.InputLayer)
        and not isinstance(getattr(layer, "output", None), (list, tuple))
    ]
    if layers is None:
        return candidates
    by_name = {layer.name: layer for layer in candidates}
    for name in layers:
        if name not in by_name:
            raise unknown_name_error("layers", name, by_name)
    return [by_name[name] for name in layers]


def activation_statistics(model, x, layers=None, training=False):
    """Measures each layer's output on the probe batch `x`.

    Args:
        model: a built functional or Sequential `keras.Model`.
        x: a probe batch of inputs (array or tensor).
        layers: optional list of layer names; defaults to every layer.
        training: bool, whether to run in training mode (dropout, batch statistics).

    Returns:
        A dict `{layer_name: stats}` in layer order, each `stats` a dict with
        `mean`, `std` (over all values), `unit_spread` (the standard deviation
        across the units/channels of the last axis, averaged over samples and
        positions: 0 when every unit computes the same output), `units` and
        `dead_fraction` (ReLU layers: the fraction of units that are zero for every
        probe input; None for other layers) and `saturated_fraction` (sigmoid and
        tanh layers: the fraction of units within 1 % of a bound of their range,
        `SATURATION`, for every probe input, where their gradient has vanished; None
        for other layers).

    Example:

    >>> stats = activation_statistics(model, x_probe)
    >>> stats["dense_3"]["std"]
    """
    chosen = probe_layers(model, layers)
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    feature_model = keras.Model(inputs, [layer.output for layer in chosen])
    outputs = feature_model(x, training=training)
    if len(chosen) == 1:
        outputs = [outputs]
    result = {}
    for layer, output in zip(chosen, outputs):
        values = np.asarray(keras.ops.convert_to_numpy(output), dtype=np.float64)
        units = values.shape[-1] if values.ndim > 1 else 1
        flat = values.reshape(-1, units)
        dead = saturated = None
        if _is_relu(layer):
            dead = float(np.mean(np.all(flat <= 0, axis=0)))
        kind = _saturating(layer)
        if kind:
            saturated = float(np.mean(np.all(_saturated(flat, kind), axis=0)))
        result[layer.name] = {
            "mean": float(values.mean()),
            "std": float(values.std()),
            "unit_spread": float(flat.std(axis=1).mean()) if units > 1 else 0.0,
            "units": int(units),
            "dead_fraction": dead,
            "saturated_fraction": saturated,
        }
    return result


def loss_function(model, loss=None):
    """Returns `loss` as a callable, defaulting to the model's compiled loss."""
    if loss is None:
        loss = getattr(model, "loss", None) or "sparse_categorical_crossentropy"
    return keras.losses.get(loss) if isinstance(loss, (str, dict)) else loss


def gradients(model, x, y, loss=None, training=True):
    """Returns the gradients of the mean loss on `(x, y)` for `model.trainable_variables`.

    Args:
        model: a built `keras.Model`.
        x, y: a batch of inputs and targets.
        loss: optional loss (name or callable); defaults to the model's compiled loss,
            else sparse categorical cross-entropy. A loss function that returns one
            value per sample is averaged over the batch, as Keras does in `fit()`.
        training: bool, forward pass in training mode.

    Returns:
        A list of numpy arrays, one per trainable variable.

    Raises:
        ValueError: the backend is neither TensorFlow nor JAX.
    """
    loss_fn = loss_function(model, loss)
    backend = keras.backend.backend()
    variables = model.trainable_variables
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            value = keras.ops.mean(loss_fn(y, model(x, training=training)))
        grads = tape.gradient(value, variables)
    elif backend == "jax":
        import jax

        trainable = [v.value for v in variables]
        non_trainable = [v.value for v in model.non_trainable_variables]

        def compute(values):
            predictions, _ = model.stateless_call(values, non_trainable, x, training=training)
            return keras.ops.mean(loss_fn(y, predictions))

        grads = jax.grad(compute)(trainable)
    else:
        raise ValueError(
            "Gradient statistics need the 'tensorflow' or 'jax' backend. "
            f"Received: backend={backend!r}"
        )
    return [
        np.zeros(v.shape) if g is None else np.asarray(keras.ops.convert_to_numpy(g))
        for v, g in zip(variables, grads)
    ]


def gradient_norms(model, x, y, loss=None, training=True):
    """Returns `{layer_name: L2 norm of the gradient of its trainable weights}`.

    Layers without trainable weights are left out.
    """
    grads = gradients(model, x, y, loss=loss, training=training)
    by_variable = {id(v): g for v, g in zip(model.trainable_variables, grads)}
    norms = {}
    for layer in model.layers:
        own = [by_variable[id(v)] for v in layer.trainable_variables if id(v) in by_variable]
        if own:
            norms[layer.name] = float(math.sqrt(sum(float(np.sum(np.square(g))) for g in own)))
    return norms


def find_problems(activations, gradient_norms=None, input_std=None, ratio=100.0):
    """Flags vanishing, exploding, identical, dead and saturated signals.

    Args:
        activations: the dict of `activation_statistics`.
        gradient_norms: optional dict of `gradient_norms`.
        input_std: optional float, the reference scale that activations are compared
            with; defaults to the first probed layer's std (the input's own scale can
            differ from the network's when the model rescales raw pixels itself).
        ratio: float > 1, how many times smaller (or larger) than the reference a
            signal may be before it is flagged. Defaults to 100.

    Returns:
        A list of one-line strings, one per problem, naming the layer and the numbers.
    """
    problems = []
    stats = list(activations.items())
    reference = input_std if input_std else (stats[0][1]["std"] if stats else 0.0)
    for name, s in stats:
        if not np.isfinite(s["std"]) or not np.isfinite(s["mean"]):
            problems.append(f"exploding activations: layer {name!r} has non-finite values")
            continue
        if s["units"] > 1 and s["unit_spread"] <= 1e-6 * (abs(s["mean"]) + s["std"] + 1e-30):
            problems.append(
                f"identical units: the {s['units']} units of layer {name!r} compute the "
                f"same output (spread {s['unit_spread']:.2g}); all-zero or constant init?"
            )
        if reference > 0 and s["std"] < reference / ratio:
            problems.append(
                f"vanishing activations: layer {name!r} std {s['std']:.3g} is below "
                f"1/{ratio:g} of the input's {reference:.3g}"
            )
        elif reference > 0 and s["std"] > reference * ratio:
            problems.append(
                f"exploding activations: layer {name!r} std {s['std']:.3g} is above "
                f"{ratio:g}x the input's {reference:.3g}"
            )
        if s["dead_fraction"] is not None and s["dead_fraction"] >= 0.5:
            problems.append(
                f"dead ReLUs: {s['dead_fraction']:.0%} of the units of layer {name!r} "
                "output zero for every probe input"
            )
        if s.get("saturated_fraction") is not None and s["saturated_fraction"] >= 0.5:
            problems.append(
                f"saturated units: {s['saturated_fraction']:.0%} of the units of layer "
                f"{name!r} sit on the flat ends of sigmoid/tanh for every probe input, "
                "where the gradient vanishes; prefer ReLU/PReLU or add batch norm"
            )
    if gradient_norms:
        finite = [g for g in gradient_norms.values() if np.isfinite(g)]
        largest = max(finite) if finite else 0.0
        for name, norm in gradient_norms.items():
            if not np.isfinite(norm):
                problems.append(f"exploding gradients: layer {name!r} has a non-finite gradient")
            elif largest > 0 and norm < largest / ratio**2:
                problems.append(
                    f"vanishing gradients: layer {name!r} gradient norm {norm:.3g} is below "
                    f"1/{ratio**2:g} of the largest layer's {largest:.3g}"
                )
            elif largest == 0:
                problems.append(f"vanishing gradients: layer {name!r} gets a zero gradient")
    return problems
