"""Weight initializers by name, including the seeds' pitfalls and recommendations.

Keras already provides zeros, He and Glorot (Xavier); this module adds the two the
seeds describe that Keras lacks as named objects (`SmallRandom`, `0.001·N(0,1)`, and
`Calibrated`, `N(0,1)/sqrt(fan_in)`) and the aliases the seeds use.
"""

import math

import keras

from kerasrecipes._names import unknown_name_error


def _fan_in(shape):
    if len(shape) < 2:
        return int(shape[0]) if shape else 1
    receptive_field = math.prod(int(d) for d in shape[:-2])
    return receptive_field * int(shape[-2])


@keras.saving.register_keras_serializable(package="kerasrecipes")
class SmallRandom(keras.initializers.Initializer):
    """Small random weights, `scale · N(0, 1)` (or `scale · U(-1, 1)`).

    The seeds' "initialization with small random numbers": breaks the symmetry of an
    all-zero start, but the signal shrinks by `scale·sqrt(fan_in)` per layer, so deep
    plain stacks collapse; kept as a named part to show that effect.

    Args:
        scale: float, the standard deviation (normal) or half-width (uniform).
            Defaults to 0.001.
        distribution: `"normal"` or `"uniform"`. Defaults to `"normal"`.
        seed: optional int.

    Example:

    >>> init = SmallRandom(scale=0.001, seed=1)
    >>> w = init((256, 128))
    """

    def __init__(self, scale=0.001, distribution="normal", seed=None):
        if not scale > 0:
            raise ValueError(f"Argument `scale` must be > 0. Received: scale={scale}")
        if distribution not in ("normal", "uniform"):
            raise ValueError(
                "Argument `distribution` must be 'normal' or 'uniform'. "
                f"Received: distribution={distribution!r}"
            )
        self.scale = float(scale)
        self.distribution = distribution
        self.seed = seed
        self._seed_generator = keras.random.SeedGenerator(seed) if seed is not None else None

    def __call__(self, shape, dtype=None):
        seed = self._seed_generator if self._seed_generator is not None else None
        if self.distribution == "normal":
            return keras.random.normal(shape, stddev=self.scale, dtype=dtype, seed=seed)
        return keras.random.uniform(shape, -self.scale, self.scale, dtype=dtype, seed=seed)

    def get_config(self):
        return {"scale": self.scale, "distribution": self.distribution, "seed": self.seed}


@keras.saving.register_keras_serializable(package="kerasrecipes")
class Calibrated(keras.initializers.Initializer):
    """Variance-calibrated weights, `N(0, 1) / sqrt(fan_in)`.

    The seeds' "calibrating the variances": each unit's output variance matches its
    input's for linear units. Keras' `LecunNormal` is a truncated normal; this is the
    plain Gaussian the seeds write (`np.random.randn(n) / sqrt(n)`).

    Args:
        seed: optional int.
    """

    def __init__(self, seed=None):
        self.seed = seed
        self._seed_generator = keras.random.SeedGenerator(seed) if seed is not None else None

    def __call__(self, shape, dtype=None):
        stddev = 1.0 / math.sqrt(_fan_in(shape))
        return keras.random.normal(shape, stddev=stddev, dtype=dtype, seed=self._seed_generator)

    def get_config(self):
        return {"seed": self.seed}


_ALIASES = {
    "zeros": "zeros",
    "xavier": "glorot_uniform",
    "xavier_normal": "glorot_normal",
    "xavier_uniform": "glorot_uniform",
    "glorot_normal": "glorot_normal",
    "glorot_uniform": "glorot_uniform",
    "he_normal": "he_normal",
    "he_uniform": "he_uniform",
    "lecun_normal": "lecun_normal",
    "orthogonal": "orthogonal",
}
_OURS = {"small_random": SmallRandom, "calibrated": Calibrated}


def names():
    """Returns the sorted names that `get()` accepts."""
    return sorted(set(_ALIASES) | set(_OURS))


def get(identifier):
    """Returns an initializer from a name, a config dict, a class or an instance.

    Args:
        identifier: None, a name from `names()` (`"small_random:0.01"` sets the
            scale), a Keras config dict, or an initializer.

    Returns:
        A `keras.initializers.Initializer`, or None for None.

    Raises:
        ValueError: unknown name, listing the known ones.
    """
    if identifier is None or isinstance(identifier, keras.initializers.Initializer):
        return identifier
    if isinstance(identifier, str):
        name, _, value = identifier.partition(":")
        if name in _OURS:
            cls = _OURS[name]
            return cls(scale=float(value)) if value and cls is SmallRandom else cls()
        if name in _ALIASES and not value:
            return keras.initializers.get(_ALIASES[name])
        raise unknown_name_error("initializer", identifier, names())
    return keras.initializers.get(identifier)
