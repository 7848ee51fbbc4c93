import json
import runpy
import sys

import pytest

from kerasrecipes import cli


def run(capsys, *argv):
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_list(capsys):
    status, out, _ = run(capsys, "list")
    assert status == 0 and "fashion_mnist_vgg" in out.split()


def test_module_entry_point_lists_recipes(capsys, monkeypatch):
    # `python -m kerasrecipes list`, run as `-m` runs it but in this process: a new
    # interpreter would cost a TensorFlow start-up (the scripts' test starts one).
    monkeypatch.setattr(sys, "argv", ["kerasrecipes", "list"])
    with pytest.raises(SystemExit) as exit_:
        runpy.run_module("kerasrecipes", run_name="__main__", alter_sys=True)
    assert exit_.value.code == 0 and "fashion_mnist_vgg" in capsys.readouterr().out.split()


def test_config_applies_overrides(capsys):
    status, out, _ = run(capsys, "config", "fashion_mnist_vgg", "--epochs", "3",
                         "--set", "optimizer=adam", "--set", "batch_size=256")
    config = json.loads(out)
    assert status == 0 and (config["epochs"], config["optimizer"], config["batch_size"]) == (3, "adam", 256)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "fashion_mnist_vg"], "Did you mean 'fashion_mnist_vgg'"),
        (["train", "fashion_mnist_vgg", "--set", "batch_sz=2"], "Did you mean 'batch_size'"),
        (["train", "fashion_mnist_vgg", "--set", "optimizer=adamm"], "`optimizer` must be one of"),
        (["train", "fashion_mnist_vgg", "--set", "epochs=0"], "`epochs` must be an integer >= 1"),
        (["train", "fashion_mnist_vgg", "--set", "epochs"], "KEY=VALUE"),
        (["export", "missing.keras"], "must be an existing .keras file"),
    ],
)
def test_errors_are_one_line_with_status_2(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert message in err and len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_train_then_export(capsys, tmp_path):
    keras_file = str(tmp_path / "fm.keras")
    status, out, _ = run(
        capsys, "train", "fashion_mnist_vgg", "--epochs", "1", "--set", "train_samples=500",
        "--set", "batch_size=250", "--set", "optimizer=adam", "--verbose", "0",
        # A quarter-width model validated on 600 images: the round trip is what is tested.
        "--set", "width=0.25", "--set", "validation_split=0.01",
        "--export", "--export-dir", str(tmp_path / "sm"), "--output", keras_file,
    )
    assert status == 0
    report = json.loads(out.splitlines()[0])
    assert report["recipe"] == "fashion_mnist_vgg"
    # The printed accuracy is the exported model's on the test set, recomputed here
    # through the serving signature (so the number, the export and the .keras agree).
    import numpy as np

    from kerasrecipes import data
    from kerasrecipes import saving

    _, (x_test, y_test) = data.load("fashion_mnist")
    serve = saving.ServingModel(str(tmp_path / "sm" / "fashion_mnist_vgg" / "1"))
    predicted = np.concatenate([serve(x_test[i:i + 2000])["class_id"].numpy()
                                for i in range(0, len(x_test), 2000)])
    assert report["test"]["accuracy"] == pytest.approx(np.mean(predicted == y_test), abs=1e-4)
    # The .keras file holds the bare model; the recipe's export serves its config's TTA.
    from kerasrecipes.training import predict_tta

    reloaded = saving.load_model(keras_file)
    from kerasrecipes import export

    card = export.load_metadata(str(tmp_path / "sm" / "fashion_mnist_vgg" / "1"))
    assert card["served_tta"] == "flip_shift"
    np.testing.assert_array_equal(
        predict_tta(reloaded, x_test[:256], "flip_shift").argmax(-1), predicted[:256])
    status, out, _ = run(capsys, "export", keras_file, "--name", "again",
                         "--export-dir", str(tmp_path / "sm"))
    assert status == 0
    again = saving.ServingModel(str(tmp_path / "sm" / "again" / "1"))
    np.testing.assert_array_equal(again(x_test[:256])["class_id"].numpy(),
                                  reloaded.predict(x_test[:256], verbose=0).argmax(-1))
    status, out, _ = run(capsys, "export", keras_file, "--name", "flipped", "--tta", "flip",
                         "--export-dir", str(tmp_path / "sm"))
    assert status == 0
    flipped = saving.ServingModel(str(tmp_path / "sm" / "flipped" / "1"))

    np.testing.assert_allclose(flipped(x_test[:256])["probabilities"].numpy(),
                               predict_tta(reloaded, x_test[:256], "flip"), atol=1e-5)
    status, _, err = run(capsys, "export", keras_file, "--tta", "flop")
    assert status == 2 and "`tta` must be one of" in err and len(err.strip().splitlines()) == 1


def test_show_augment_writes_a_png(capsys, tmp_path):
    import matplotlib.image

    path = str(tmp_path / "grid.png")
    status, out, _ = run(capsys, "show-augment", "flip_crop", "--output", path, "--count", "4",
                         "--versions", "1")
    assert status == 0 and path in out
    picture = matplotlib.image.imread(path)[..., :3]
    assert picture.shape[0] > 100 and picture.std() > 0.1  # images drawn, not a blank figure


def test_show_augment_unknown_policy_is_one_line(capsys):
    status, _, err = run(capsys, "show-augment", "flip_crp")
    assert status == 2 and "Did you mean 'flip_crop'" in err and len(err.strip().splitlines()) == 1
