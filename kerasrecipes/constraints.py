"""Weight constraints by name with their value: `"max_norm:3"`, `"non_neg"`, `"unit_norm"`.

Keras provides MaxNorm, NonNeg and UnitNorm; this module adds the `name:value` spelling
and `UnitMaxNorm`.

Measured on Fashion-MNIST by `benchmarks/tips.py` (effect of A over B, verdict):

Measured (tips.json, regularization: max_norm vs none): -0.25 ± 1.10 pt, within noise / depends (3 seeds).
"""

import keras
from keras import ops

from kerasrecipes._names import split_value, unknown_name_error


@keras.saving.register_keras_serializable(package="kerasrecipes")
class UnitMaxNorm(keras.constraints.Constraint):
    """Caps the L2 norm of each output unit's incoming weights at `max_value`.

    The seeds' max-norm constraint ("enforce an absolute upper bound on the magnitude
    of the weight vector of every neuron"). Keras' `MaxNorm` takes the norm over a
    fixed `axis` (0 by default), which for a conv kernel `(h, w, in, out)` bounds
    each row of the kernel rather than each unit; this one always reduces over every
    axis but the last, so it means the same for Dense and Conv kernels.

    Args:
        max_value: float > 0, the bound. Defaults to 3.0.

    Example:

    >>> layer = keras.layers.Dense(64, kernel_constraint=UnitMaxNorm(3.0))
    """

    def __init__(self, max_value=3.0):
        if not max_value > 0:
            raise ValueError(f"Argument `max_value` must be > 0. Received: max_value={max_value}")
        self.max_value = float(max_value)

    def __call__(self, w):
        axes = list(range(len(w.shape) - 1))
        norms = ops.sqrt(ops.sum(ops.square(w), axis=axes, keepdims=True))
        desired = ops.clip(norms, 0.0, self.max_value)
        return w * (desired / (norms + keras.backend.epsilon()))

    def get_config(self):
        return {"max_value": self.max_value}


def names():
    """Returns the sorted constraint names that `get()` accepts."""
    return ["max_norm", "non_neg", "unit_norm"]


def get(identifier):
    """Returns a constraint from None, `"name[:value]"`, a config dict or an instance.

    Raises:
        ValueError: unknown name, or a max-norm value that is not positive.
    """
    if identifier is None or isinstance(identifier, keras.constraints.Constraint):
        return identifier
    if isinstance(identifier, str):
        name, value = split_value(identifier)
        if name == "max_norm":
            value = 3.0 if value is None else value
            if value <= 0:
                raise ValueError(
                    f"The bound of constraint 'max_norm' must be > 0. Received: {identifier!r}"
                )
            return UnitMaxNorm(max_value=value)
        if name == "non_neg" and value is None:
            return keras.constraints.NonNeg()
        if name == "unit_norm" and value is None:
            return keras.constraints.UnitNorm()
        raise unknown_name_error("constraint", identifier, names())
    return keras.constraints.get(identifier)
