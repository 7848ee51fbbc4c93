"""The `ensemble` sub-command and `train --checkpoint-dir`."""

import json
import os

import keras
import pytest

from kerasrecipes import cli
from kerasrecipes import export

TINY = ["--set", "train_samples=300", "--set", "width=0.25", "--set", "batch_size=100",
        "--set", "validation_split=0.02", "--set", "augment=none"]


@pytest.fixture
def small_fashion_mnist(monkeypatch):
    """The recipes read Fashion-MNIST's first 6,000 training and 1,000 test images: the
    members and the ensemble are evaluated on the test set, 10,000 images each otherwise."""
    from kerasrecipes.data import datasets

    load = datasets.load

    def subset(*args, **kwargs):
        (x, y), (x_test, y_test) = load(*args, **kwargs)
        return (x[:6000], y[:6000]), (x_test[:1000], y_test[:1000])

    monkeypatch.setattr(datasets, "load", subset)


def run(capsys, *argv):
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--from", "sede"], "Did you mean 'seeds'"),
        (["--fusion", "meen"], "`fusion` must be one of ['early', 'mean', 'vote', 'weighted']. "
                               "Did you mean 'mean'"),
        (["--from", "folds", "--fusion", "early"], "must be 'mean' or 'vote' with fold members"),
        (["--fusion", "early", "--layer", "fc1_rel"], "Did you mean 'fc1_relu'"),
        (["--members", "0"], "`count` must be an integer >= 1"),
        (["--set", "epochs=0"], "`epochs` must be an integer >= 1"),
    ],
)
def test_bad_ensemble_arguments_fail_before_training(capsys, argv, message):
    status, out, err = run(capsys, "ensemble", "fashion_mnist_vgg", *argv)
    assert status == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_ensemble_trains_fuses_and_exports_one_savedmodel(capsys, tmp_path, small_fashion_mnist):
    keras_file = str(tmp_path / "ens.keras")
    status, out, _ = run(capsys, "ensemble", "fashion_mnist_vgg", "--members", "2",
                         "--from", "seeds", "--fusion", "vote", "--epochs", "1", *TINY,
                         "--export", "--export-dir", str(tmp_path / "sm"), "--output", keras_file)
    assert status == 0
    report = json.loads(out.splitlines()[0])
    assert (report["source"], report["fusion"], len(report["members"])) == ("seeds", "vote", 2)
    assert 0 <= report["test"]["accuracy"] <= 1
    path = str(tmp_path / "sm" / "fashion_mnist_vgg_ensemble" / "1")
    metadata = export.load_metadata(path)
    assert metadata["config"]["ensemble"]["fusion"] == "vote"
    assert [c["seed"] for c in metadata["config"]["members"]] == [0, 1]
    assert len(metadata["class_names"]) == 10
    restored = keras.saving.load_model(keras_file, safe_mode=True)
    assert [layer.name for layer in restored.layers[1:3]] == ["member_0", "member_1"]


@pytest.mark.slow
def test_train_writes_checkpoints(capsys, tmp_path, small_fashion_mnist):
    folder = str(tmp_path / "ckpt")
    status, _, _ = run(capsys, "train", "fashion_mnist_vgg", "--epochs", "1", *TINY,
                       "--verbose", "0", "--checkpoint-dir", folder, "--set", "keep_last=1")
    assert status == 0
    assert sorted(os.listdir(folder)) == ["best.keras", "epoch-001.keras", "last.keras"]
    keras.saving.load_model(os.path.join(folder, "best.keras"), safe_mode=True)
