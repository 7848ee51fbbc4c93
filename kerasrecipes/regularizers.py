"""Weight regularizers by name with their value: `"l2:5e-4"`, `"l1:1e-5"`, `"l1_l2:1e-5"`.

Keras provides L1, L2 and L1L2; this module only adds the `name:value` spelling so that
a CLI `--set` or a config file can carry the strength.

Measured on Fashion-MNIST by `benchmarks/tips.py` (effect of A over B, verdict):

Measured (tips.json, regularization: l2 vs none): +0.09 ± 0.77 pt, within noise / depends (3 seeds).
Measured (tips.json, regularization: l1 vs none): -0.08 ± 0.77 pt, within noise / depends (3 seeds).
Measured (tips.json, regularization: dropout vs none): -0.73 ± 0.93 pt, within noise / depends (3 seeds).
"""

import keras

from kerasrecipes._names import split_value, unknown_name_error

_DEFAULTS = {"l1": 0.01, "l2": 0.01, "l1_l2": 0.01}


def names():
    """Returns the sorted regularizer names that `get()` accepts."""
    return sorted(_DEFAULTS)


def get(identifier):
    """Returns a regularizer from None, `"name[:value]"`, a config dict or an instance.

    Raises:
        ValueError: unknown name or a negative value.
    """
    if identifier is None or isinstance(identifier, keras.regularizers.Regularizer):
        return identifier
    if isinstance(identifier, str):
        name, value = split_value(identifier)
        if name not in _DEFAULTS:
            raise unknown_name_error("regularizer", identifier, names())
        value = _DEFAULTS[name] if value is None else value
        if value < 0:
            raise ValueError(
                f"The strength of regularizer {name!r} must be >= 0. Received: {identifier!r}"
            )
        if name == "l1":
            return keras.regularizers.L1(value)
        if name == "l2":
            return keras.regularizers.L2(value)
        return keras.regularizers.L1L2(l1=value, l2=value)
    return keras.regularizers.get(identifier)
