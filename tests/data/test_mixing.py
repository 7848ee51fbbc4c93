import numpy as np
import pytest

from kerasrecipes.data import pipeline
from kerasrecipes.data.mixing import mix_batches

# Class k's image is constant 10·(k+1): a mixed pixel tells which images went into it.
CLASSES = 10
X = np.repeat(np.arange(1, CLASSES + 1, dtype="uint8")[:, None, None, None] * 10, 32, axis=1)
X = np.repeat(X, 32, axis=2)
Y = np.arange(CLASSES)


def batches(**kwargs):
    data = pipeline(X, Y, batch_size=CLASSES, training=True, seed=3)
    return [(i.numpy(), l.numpy()) for i, l in mix_batches(data, CLASSES, seed=3, **kwargs)]


def partners(label, tiny=1e-6):
    """The classes in a soft label with their weights, largest first."""
    order = np.argsort(-label)
    return [(int(k), float(label[k])) for k in order if label[k] > tiny]


def test_mixup_labels_and_images_are_the_same_convex_mix():
    mixed = 0
    for images, labels in batches(mixup=0.4) * 1:
        assert labels.shape == (CLASSES, CLASSES) and images.shape == X.shape
        np.testing.assert_allclose(labels.sum(-1), 1.0, atol=1e-6)
        assert (labels >= 0).all()
        for image, label in zip(images, labels):
            pairs = partners(label)
            assert len(pairs) <= 2
            expected = sum(w * X[k].astype("float32") for k, w in pairs)
            np.testing.assert_allclose(image, expected, atol=1e-3)
            mixed += len(pairs) == 2
    assert mixed >= CLASSES // 2  # Beta(0.4, 0.4) almost never gives exactly 0 or 1


def test_cutmix_label_weight_is_the_pasted_area():
    # Keras' CutMix takes λ from the continuous box and pastes the pixels whose grid
    # points fall inside it: the two agree up to the box's border pixels.
    errors = []
    for images, labels in batches(cutmix=1.0):
        np.testing.assert_allclose(labels.sum(-1), 1.0, atol=1e-6)
        for image, label in zip(images, labels):
            pairs = partners(label, tiny=0.0)
            own = pairs[0][0] if len(pairs) == 1 else None
            for k, weight in pairs:
                errors.append(abs(np.isclose(image, X[k]).mean() - weight))
            assert np.isclose(image, X[pairs[0][0]]).mean() + (
                np.isclose(image, X[pairs[1][0]]).mean() if len(pairs) == 2 else 0) == 1.0
            if own is not None:
                np.testing.assert_array_equal(image, X[own])
    assert max(errors) <= 65 / 32**2  # (w + h + 1) border pixels of 32×32 at most


def test_mixing_is_reproducible_and_new_every_epoch():
    data = pipeline(X, Y, batch_size=CLASSES, training=True, seed=3)
    mixed = mix_batches(data, CLASSES, mixup=0.4, cutmix=1.0, seed=3)
    first, second = [l.numpy() for _, l in mixed], [l.numpy() for _, l in mixed]
    again = [l for _, l in batches(mixup=0.4, cutmix=1.0)]
    np.testing.assert_array_equal(np.concatenate(first), np.concatenate(again))
    assert not np.array_equal(np.concatenate(first), np.concatenate(second))


def test_without_alphas_labels_are_only_one_hot():
    (images, labels), = batches()
    np.testing.assert_array_equal(labels, np.eye(CLASSES)[[partners(l)[0][0] for l in labels]])
    assert set(np.unique(images)) <= set(np.unique(X.astype("float32")))


@pytest.mark.parametrize("kwargs, match", [
    (dict(mixup=0.0), r"Argument `mixup` must be None \(off\) or an alpha > 0"),
    (dict(cutmix=-1), r"Argument `cutmix` must be None \(off\) or an alpha > 0"),
])
def test_bad_alpha(kwargs, match):
    with pytest.raises(ValueError, match=match):
        mix_batches(pipeline(X, Y, 5), CLASSES, **kwargs)


def test_bad_classes():
    with pytest.raises(ValueError, match=r"Argument `classes` must be an integer >= 2. Received: classes=1"):
        mix_batches(pipeline(X, Y, 5), 1, mixup=0.2)
