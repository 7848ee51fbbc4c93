"""A wrapper that keeps a dropout layer active at inference (Monte Carlo dropout)."""

import keras

DROPOUT_LAYERS = (keras.layers.Dropout, keras.layers.GaussianDropout, keras.layers.AlphaDropout)


@keras.saving.register_keras_serializable(package="kerasrecipes")
class MCDropout(keras.layers.Wrapper):
    """Runs the wrapped dropout layer in training mode on every call.

    The seeds' "dropout as a Bayesian approximation" (Gal & Ghahramani): with dropout
    left on at prediction time, repeated forward passes sample different thinned
    networks, and the spread of their outputs estimates the model's uncertainty.
    Only the dropout layer is forced into training mode; batch norm and the rest of
    the model stay in inference mode. `kerasrecipes.training.predict_mc_dropout` puts
    it around every dropout layer of a copy of a model.

    Args:
        layer: a `keras.layers.Dropout` (or `SpatialDropout*D`, `GaussianDropout`,
            `AlphaDropout`), or its serialized config.
        **kwargs: base layer arguments (`name`).

    Input shape: any. Output shape: the same.

    Example:

    >>> layer = MCDropout(keras.layers.Dropout(0.5))
    >>> y = layer(x)  # dropped out even with training=False

    Reference:
        Gal & Ghahramani, "Dropout as a Bayesian Approximation: Representing Model
        Uncertainty in Deep Learning", ICML 2016 (https://arxiv.org/abs/1506.02142).
    """

    def __init__(self, layer, **kwargs):
        if isinstance(layer, dict):
            layer = keras.layers.deserialize(layer)
        if not isinstance(layer, DROPOUT_LAYERS):
            raise TypeError(
                "Argument `layer` must be a Keras dropout layer (Dropout, SpatialDropout*D, "
                f"GaussianDropout, AlphaDropout). Received: layer={layer!r}"
            )
        super().__init__(layer, **kwargs)

    def call(self, inputs, training=None):
        return self.layer(inputs, training=True)

    def compute_output_shape(self, input_shape):
        return input_shape

    @classmethod
    def from_config(cls, config, custom_objects=None):
        # Keras' Wrapper.from_config pops "layer" from the dict it is given: copy it.
        return super().from_config(dict(config), custom_objects)
