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


def test_vgg16_parameter_count_matches_the_paper():
    model = models.get("vgg16")
    assert model.count_params() == 138_357_544


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


def test_predictions_stay_float32_under_a_mixed_policy():
    from kerasrecipes.training.precision import policy_scope

    with policy_scope("mixed_bfloat16"):
        model = models.get("fashion_vgg_small")
    assert model.get_layer("block1_conv1_conv").compute_dtype == "bfloat16"
    out = model.predict(np.zeros((2, 28, 28, 1), "float32"), verbose=0)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.sum(-1), 1.0, rtol=1e-6)
