"""Shared helpers for looking things up by name, with Keras-style errors."""

import difflib


def unknown_name_error(argument, value, allowed):
    """Returns a `ValueError` for an unknown name, listing what is allowed and close matches.

    Args:
        argument: str, the argument's name, e.g. `"initializer"`.
        value: the value received.
        allowed: iterable of str, the accepted names.

    Returns:
        A `ValueError` to raise.
    """
    allowed = sorted(allowed)
    # "l3:1e-4" should still suggest "l2": match on the name before any ":value".
    close = difflib.get_close_matches(str(value).partition(":")[0], allowed, n=3, cutoff=0.5)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return ValueError(
        f"Argument `{argument}` must be one of {allowed}.{hint} Received: {argument}={value!r}"
    )


def check_rate(name, value, high=1.0):
    """Returns `value` as a float, or raises the Keras-form error unless `0 <= value < high`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < high:
        raise ValueError(f"Argument `{name}` must be in [0, {high:g}). Received: {name}={value!r}")
    return float(value)


def split_value(identifier):
    """Splits `"name:value"` into `("name", float(value))`; `"name"` gives `("name", None)`.

    Raises:
        ValueError: the value part is not a number.
    """
    name, sep, value = identifier.partition(":")
    if not sep:
        return name, None
    try:
        return name, float(value)
    except ValueError:
        raise ValueError(
            f"The value after ':' in {identifier!r} must be a number, as in 'l2:5e-4'. "
            f"Received: {value!r}"
        ) from None
