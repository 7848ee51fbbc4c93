import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasrecipes.layers import preprocessing
from kerasrecipes.layers.preprocessing import Whitening


def _correlated(n=4000, shape=(4, 4, 1), seed=0):
    rng = np.random.default_rng(seed)
    d = int(np.prod(shape))
    mixing = rng.normal(size=(d, d)) * np.linspace(5, 40, d)
    x = 120 + rng.normal(size=(n, d)) @ mixing.T / np.sqrt(d)
    return x.reshape((n,) + shape).astype("float32")


@pytest.mark.parametrize("method", ["pca", "zca"])
def test_whitened_training_data_has_zero_mean_and_identity_covariance(method):
    x = _correlated()
    layer = Whitening(method)
    layer.adapt(x, batch_size=333)
    white = np.asarray(layer(x)).reshape(len(x), -1).astype("float64")
    np.testing.assert_allclose(white.mean(axis=0), 0, atol=1e-2)
    np.testing.assert_allclose(np.cov(white, rowvar=False, bias=True), np.eye(16), atol=2e-2)
    assert white.shape == (4000, 16) and np.asarray(layer(x[:2])).shape == ((2, 4, 4, 1) if method == "zca" else (2, 16))


def test_zca_is_the_symmetric_whitening_closest_to_the_input():
    x = _correlated()
    zca, pca = Whitening("zca"), Whitening("pca")
    zca.adapt(x)
    pca.adapt(x)
    projection = np.asarray(zca.projection)
    np.testing.assert_allclose(projection, projection.T, atol=1e-5)
    centred = (x.reshape(len(x), -1) - x.reshape(len(x), -1).mean(0)) / x.std()
    z = np.asarray(zca(x)).reshape(len(x), -1)
    p = np.asarray(pca(x))
    corr = lambda a: np.mean([np.corrcoef(a[:, i], centred[:, i])[0, 1] for i in range(16)])  # noqa: E731
    assert corr(z) > corr(p)


def test_adapt_streams_a_dataset_of_pairs_like_the_array():
    x = _correlated(600)
    from_array, from_dataset = Whitening("zca"), Whitening("zca")
    from_array.adapt(x)
    from_dataset.adapt(tf.data.Dataset.from_tensor_slices((x, np.zeros(600))))  # unbatched
    np.testing.assert_allclose(np.asarray(from_array.projection),
                               np.asarray(from_dataset.projection), rtol=1e-3, atol=1e-6)


def test_pca_components_and_saved_model_round_trip(tmp_path):
    x = _correlated(800)
    layer = Whitening("pca", n_components=5, epsilon=1e-3)
    layer.adapt(x)
    inputs = keras.Input((4, 4, 1))
    model = keras.Model(inputs, keras.layers.Dense(3)(layer(inputs)))
    path = str(tmp_path / "white.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(np.asarray(loaded(x[:10])), np.asarray(model(x[:10])), atol=1e-5)
    assert loaded.layers[1].get_config()["n_components"] == 5
    assert not loaded.layers[1].trainable_weights


def test_standardization_per_channel_and_per_pixel_save_with_the_model(tmp_path):
    rng = np.random.default_rng(1)
    x = (rng.normal(size=(500, 6, 6, 3)) * [10, 20, 30] + [50, 100, 150]).astype("float32")
    x[:, 0, 0, :] += 70  # one pixel brighter than the rest
    for per, axes in (("channel", (0, 1, 2)), ("pixel", (0,))):
        layer = preprocessing.get(f"standardize_{per}")
        layer.adapt(tf.data.Dataset.from_tensor_slices((x, np.zeros(500))).batch(64))
        out = np.asarray(layer(x))
        np.testing.assert_allclose(out.mean(axis=axes), 0, atol=1e-3)
        np.testing.assert_allclose(out.std(axis=axes), 1, atol=1e-2)
        model = keras.Sequential([keras.Input((6, 6, 3)), layer])
        model.save(tmp_path / f"{per}.keras")
        np.testing.assert_allclose(
            np.asarray(keras.saving.load_model(tmp_path / f"{per}.keras")(x[:4])), out[:4], atol=1e-5)


def test_squeeze_is_the_builders_rescaling():
    layer = preprocessing.get("squeeze")
    np.testing.assert_allclose(np.asarray(layer(np.array([[0.0, 127.5, 255.0]]))), [[-1, 0, 1]])
    assert isinstance(layer, keras.layers.Rescaling)


def test_names_and_errors():
    assert preprocessing.names() == ["pca_whitening", "squeeze", "standardize_channel",
                                     "standardize_pixel", "zca_whitening"]
    with pytest.raises(ValueError, match="Did you mean 'zca_whitening'"):
        preprocessing.get("zca_whiten")
    with pytest.raises(ValueError, match="`method` must be 'pca' or 'zca'. Received: method='ica'"):
        Whitening("ica")
    with pytest.raises(ValueError, match="`epsilon` must be > 0"):
        Whitening(epsilon=0)
    with pytest.raises(ValueError, match="`n_components`"):
        Whitening("zca", n_components=3)
    with pytest.raises(ValueError, match="at least one image"):
        Whitening().adapt(np.zeros((0, 2, 2, 1)))
    with pytest.raises(ValueError, match="`per` must be one of"):
        preprocessing.standardization("image")
