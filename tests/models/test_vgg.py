import numpy as np
import pytest

from kerasrecipes import models


def test_small_config_shapes_and_exact_parameter_count():
    # Distinct widths per stage so that a dropped or repeated stage changes the count.
    model = models.vgg(
        config=[[8], [16, 24]], input_shape=(28, 28, 1), classes=10,
        norm="batch", head="dense", dense_units=(32,), dropout=0.0,
    )
    assert model.output_shape == (None, 10)
    convs = 3 * 3 * 1 * 8 + 3 * 3 * 8 * 16 + 3 * 3 * 16 * 24  # no conv bias before a norm
    norms = 4 * (8 + 16 + 24)                                   # gamma, beta, mean, variance
    dense = 7 * 7 * 24 * 32 + 4 * 32 + 32 * 10 + 10             # fc (norm, no bias), predictions
    assert model.count_params() == convs + norms + dense
    names = [layer.name for layer in model.layers]
    assert "block2_conv2_conv" in names and "block3_conv1_conv" not in names


def test_gap_head_and_width_multiplier():
    model = models.vgg(config=[[8], [16]], input_shape=(32, 32, 3), classes=5,
                       head="gap", width=2.0, dropout=0.0)
    assert model.get_layer("block2_conv1_conv").filters == 32
    assert model.output_shape == (None, 5)


def test_activation_after_pool_gives_the_same_output():
    kwargs = dict(config=[[8, 16]], input_shape=(12, 12, 1), classes=3, norm=None, head="gap",
                  dropout=0.0)
    before = models.vgg(activation_after_pool=False, **kwargs)
    after = models.vgg(activation_after_pool=True, **kwargs)
    after.set_weights(before.get_weights())
    x = np.random.default_rng(0).uniform(0, 255, (4, 12, 12, 1)).astype("float32")
    np.testing.assert_allclose(before.predict(x, verbose=0), after.predict(x, verbose=0), atol=1e-6)
    # The ReLU runs on the 6×6 pooled map instead of the 12×12 one.
    assert after.get_layer("block1_conv2_relu").output.shape[1:3] == (6, 6)


def test_fashion_preset_takes_raw_pixels():
    model = models.get("fashion_vgg_small")
    assert model.input_shape == (None, 28, 28, 1)
    assert model.layers[1].name == "squeeze"
    x = np.full((1, 28, 28, 1), 255.0, "float32")
    assert float(model.layers[1](x).numpy().max()) == pytest.approx(1.0)
    assert float(model.layers[1](0 * x).numpy().min()) == pytest.approx(-1.0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(config="Z"), r"`config` must be one of"),
        (dict(config=[[64], []]), r"non-empty list of positive conv widths"),
        (dict(config=[[8]] * 6, input_shape=(28, 28, 1)), r"shrinks an input of \(28, 28\) to zero"),
        (dict(head="mlp"), r"`head` must be one of"),
        (dict(dropout=1.0), r"`dropout` must be in \[0, 1\)"),
    ],
)
def test_bad_arguments_raise_at_build_time(kwargs, message):
    with pytest.raises(ValueError, match=message):
        models.vgg(**kwargs)


def test_unknown_model_name_suggests():
    with pytest.raises(ValueError, match="Did you mean 'vgg16'"):
        models.get("vgg_16")


def test_final_pool_false_keeps_the_last_map_for_the_head():
    model = models.vgg(config=[[8], [16]], input_shape=(28, 28, 1), classes=10, head="dense",
                       dense_units=(4,), dropout=0.0, final_pool=False)
    assert model.get_layer("flatten").output.shape[1] == 14 * 14 * 16


@pytest.mark.parametrize("name", ["fashion_vgg_small", "fashion_squeezenet"])
def test_predictions_stay_float32_under_a_mixed_policy(name):
    from kerasrecipes.training.precision import policy_scope

    with policy_scope("mixed_bfloat16"):
        model = models.get(name)
    assert model.layers[2].compute_dtype == "bfloat16"
    out = model.predict(np.zeros((2, 28, 28, 1), "float32"), verbose=0)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.sum(-1), 1.0, rtol=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("config, application, params", [("D", "VGG16", 138_357_544),
                                                          ("E", "VGG19", 143_667_240)])
def test_dense_head_matches_keras_applications(config, application, params):
    import keras

    reference = getattr(keras.applications, application)(weights=None)
    ours = models.vgg(config=config, preprocessing=None)
    assert ours.count_params() == reference.count_params() == params
    shapes = lambda m: [tuple(w.shape) for w in m.weights]  # noqa: E731
    assert shapes(ours) == shapes(reference)  # layer by layer, in order
    del reference, ours


@pytest.mark.parametrize("norm", [None, "batch", "layer", "group", "instance"])
@pytest.mark.parametrize("activation", ["prelu", "rrelu", "leaky_relu:0.2"])
def test_dense_head_takes_every_norm_and_activation(norm, activation):
    model = models.vgg(config=[[8], [16]], input_shape=(16, 16, 1), classes=4, norm=norm,
                       activation=activation, head="dense", dense_units=(16,), dropout=0.1)
    x = np.random.default_rng(0).uniform(0, 255, (2, 16, 16, 1)).astype("float32")
    assert np.isfinite(model.predict(x, verbose=0)).all()
    if activation == "prelu":
        # The dense head's PReLU has one slope per unit, starting at 0.1.
        np.testing.assert_allclose(model.get_layer("fc1_prelu").alpha.numpy(), np.full(16, 0.1))


def test_small_variants_for_32x32_and_saved_model(tmp_path):
    import tensorflow as tf

    from kerasrecipes import export

    model = models.vgg(config="small_deep", input_shape=(32, 32, 3), classes=10, norm="batch",
                       activation="prelu", head="gap", width=0.25)
    assert model.output_shape == (None, 10)
    images = np.random.default_rng(0).integers(0, 256, (4, 32, 32, 3)).astype("uint8")
    path = export.save(model, str(tmp_path / "vgg"))
    served = tf.saved_model.load(path).signatures["serving_default"](images=tf.constant(images))
    np.testing.assert_allclose(served["probabilities"].numpy(),
                               model.predict(images.astype("float32"), verbose=0), rtol=1e-5, atol=1e-6)
