import keras
import numpy as np
import pytest

import kerasrecipes as kr
from kerasrecipes.training import tta


def asymmetric_model():
    # Weights that tell left from right: a mirrored image gets other probabilities.
    model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(3, activation="softmax")])
    kernel = np.random.default_rng(1).normal(0, 0.3, (16, 3)).astype("float32")
    model.layers[-1].set_weights([kernel, np.zeros(3, "float32")])
    return model


def images():
    return np.random.default_rng(0).uniform(0, 10, (5, 4, 4, 1)).astype("float32")


def test_flip_tta_averages_the_original_and_mirrored_predictions():
    model, x = asymmetric_model(), images()
    plain, mirrored = model.predict(x, verbose=0), model.predict(x[:, :, ::-1], verbose=0)
    assert not np.allclose(plain, mirrored, atol=1e-3)
    np.testing.assert_allclose(kr.training.predict_tta(model, x, tta="flip"), (plain + mirrored) / 2,
                               rtol=1e-5)


def test_shift_views_move_the_image_and_fill_zeros():
    x = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
    views = tta.views(x, "shift")
    assert len(views) == 5 and len(tta.views(x, "flip_shift")) == 10
    np.testing.assert_array_equal(views[0], x)
    up = views[1][0, :, :, 0]  # dy = -1: row r comes from row r + 1
    np.testing.assert_array_equal(up[:3], x[0, 1:, :, 0])
    np.testing.assert_array_equal(up[3], 0)
    right = views[4][0, :, :, 0]  # dx = +1
    np.testing.assert_array_equal(right[:, 1:], x[0, :, :3, 0])
    np.testing.assert_array_equal(right[:, 0], 0)


def test_evaluate_tta_reports_loss_and_accuracy():
    model, x = asymmetric_model(), images()
    probabilities = tta.predict_tta(model, x, "flip_shift")
    y = probabilities.argmax(-1)
    result = tta.evaluate_tta(model, x, y, "flip_shift")
    assert result["accuracy"] == 1.0
    np.testing.assert_allclose(result["loss"], -np.log(probabilities.max(-1)).mean(), rtol=1e-6)


def test_bad_tta_arguments():
    with pytest.raises(ValueError, match=r"flip_shift"):
        tta.views(images(), "flip_shfit")
    with pytest.raises(ValueError, match=r"Argument `shift` must be an integer >= 1. Received: shift=0"):
        tta.views(images(), "shift", shift=0)
    with pytest.raises(ValueError, match=r"Argument `x` must be a batch of images \(N, H, W, C\)"):
        tta.views(np.zeros((4, 4)), "flip")


@pytest.mark.parametrize("mode", ["flip", "shift", "flip_shift"])
def test_tta_model_predicts_what_predict_tta_does(mode):
    model, x = asymmetric_model(), images()
    served = kr.training.tta_model(model, mode)
    assert served.name == f"{model.name}_tta_{mode}"
    assert served.input_shape == model.input_shape and served.output_shape == model.output_shape
    assert served.count_params() == model.count_params()  # the same weights, shared
    np.testing.assert_allclose(served.predict(x, verbose=0), tta.predict_tta(model, x, mode),
                               atol=1e-6)


def test_tta_model_round_trips_through_keras_files(tmp_path):
    model, x = asymmetric_model(), images()
    served = kr.training.tta_model(model, "flip_shift")
    served.save(tmp_path / "served.keras")
    loaded = kr.saving.load_model(str(tmp_path / "served.keras"))
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), served.predict(x, verbose=0))


def test_tta_model_averages_in_float32_under_a_bfloat16_policy():
    try:
        keras.mixed_precision.set_dtype_policy("mixed_bfloat16")
        model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(),
                                  keras.layers.Dense(3),
                                  keras.layers.Activation("softmax", dtype="float32")])
        served = kr.training.tta_model(model, "flip")
    finally:
        keras.mixed_precision.set_dtype_policy("float32")
    out = served(images())
    assert keras.backend.standardize_dtype(out.dtype) == "float32"
    np.testing.assert_allclose(keras.ops.convert_to_numpy(keras.ops.sum(out, -1)), 1.0, atol=1e-6)


def test_tta_model_refuses_bad_modes_and_models_that_do_not_take_images():
    with pytest.raises(ValueError, match=r"`tta` must be one of .*Did you mean 'flip_shift'"):
        kr.training.tta_model(asymmetric_model(), "flip_shfit")
    with pytest.raises(ValueError, match=r"`shift` must be an integer >= 1. Received: shift=0"):
        kr.training.tta_model(asymmetric_model(), "shift", shift=0)
    flat = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    with pytest.raises(ValueError, match=r"Argument `model` must take one batch of images "
                                         r"\(None, H, W, C\). Received: a model with input "
                                         r"shapes \[\(None, 4\)\]"):
        kr.training.tta_model(flat, "flip")
