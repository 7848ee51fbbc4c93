"""The normalized-gradient step: `w ← w − η·∇ℒ/‖∇ℒ‖`, the direction of the gradient only.

One seed ("Deep Learning Training Tricks", section "Adam, Adagrad, etc.") describes this
update against exploding and vanishing gradients and calls it "Adagrad". It is not
Adagrad: Keras' `keras.optimizers.Adagrad` (Duchi et al., 2011) divides each coordinate
by the root of its own accumulated squared gradients, so its step shrinks over time and
differs per weight. Here the whole gradient is divided by its one global L2 norm
`‖∇ℒ‖ = √Σ(∇ℒ)²` at every step, so every step has length exactly `η` (without momentum),
whatever the gradient's scale. It is registered as `"normalized_sgd"` in
`kerasrecipes.training.optimizers`; `"adagrad"` stays Keras' real Adagrad.
"""

import keras


@keras.saving.register_keras_serializable(package="kerasrecipes")
class NormalizedSGD(keras.optimizers.SGD):
    """SGD on the unit-norm gradient: `w ← w − η·∇ℒ/(‖∇ℒ‖ + ε)`.

    The seeds' normalized-gradient step (which one seed calls "Adagrad"; Keras'
    `Adagrad` is a different, per-coordinate method). The norm is global: taken over
    the gradients of all trainable variables together, as in the seed's formula,
    so the relative sizes of the layers' gradients are kept and only the overall
    length is fixed. Momentum, if any, accumulates the normalized gradients.

    Args:
        learning_rate: float or schedule, the length of every step. Defaults to 0.01.
        momentum: float in [0, 1). Defaults to 0 (the seed's plain step).
        nesterov: bool. Defaults to False.
        epsilon: float > 0, added to the norm so a zero gradient gives a zero step.
            Defaults to 1e-12.
        **kwargs: other `keras.optimizers.Optimizer` arguments (`weight_decay`,
            `clipnorm`, `name`, ...). Clipping acts after the normalization.

    Example:

    >>> optimizer = NormalizedSGD(learning_rate=0.01)
    >>> model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, epsilon=1e-12,
                 name="normalized_sgd", **kwargs):
        super().__init__(learning_rate=learning_rate, momentum=momentum, nesterov=nesterov,
                         name=name, **kwargs)
        if not (isinstance(epsilon, (int, float)) and epsilon > 0):
            raise ValueError(f"Argument `epsilon` must be > 0. Received: epsilon={epsilon!r}")
        self.epsilon = float(epsilon)

    def apply(self, grads, trainable_variables=None):
        present = [g for g in grads if g is not None]
        if present:
            norm = keras.ops.sqrt(sum(keras.ops.sum(keras.ops.square(
                keras.ops.cast(g, "float32"))) for g in present))
            scale = 1.0 / (norm + self.epsilon)
            grads = [None if g is None else g * keras.ops.cast(scale, g.dtype) for g in grads]
        return super().apply(grads, trainable_variables)

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}
