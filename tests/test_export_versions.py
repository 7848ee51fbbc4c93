"""Exports appear whole or not at all, never overwrite, and survive kills and races."""

import os
import signal
import socket
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from kerasrecipes import export
from kerasrecipes.export import versioning

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": ROOT}

TINY = textwrap.dedent(
    """
    import keras

    def tiny(seed):
        keras.utils.set_random_seed(seed)
        inputs = keras.Input((8, 8, 1))
        x = keras.layers.Flatten()(keras.layers.Rescaling(1 / 255)(inputs))
        return keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(x))
    """
)
namespace = {}
exec(TINY, namespace)
tiny = namespace["tiny"]

# Pauses the export after the SavedModel is written, before its card and its rename.
KILLED_SCRIPT = TINY + textwrap.dedent(
    """
    import sys, time
    from kerasrecipes import export
    from kerasrecipes.export import card

    def pause(*args):
        print("WRITING", flush=True)
        time.sleep(600)

    card.write_card = pause
    export.save(tiny(0), sys.argv[1])
    """
)

# Waits for a shared start signal, then exports: both processes race for version 1.
RACE_SCRIPT = TINY + textwrap.dedent(
    """
    import os, sys, time
    from kerasrecipes import export
    base, go, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    model = tiny(seed)
    print("READY", flush=True)
    while not os.path.exists(go):
        time.sleep(0.001)
    print(export.save(model, base), flush=True)
    """
)


def _outputs(path, images):
    import tensorflow as tf

    serve = tf.saved_model.load(path).signatures["serving_default"]
    return serve(images=tf.constant(images))["probabilities"].numpy()


IMAGES = np.random.default_rng(0).integers(0, 256, (4, 8, 8, 1)).astype("uint8")


@pytest.mark.slow
def test_killed_export_leaves_no_version_and_the_next_export_cleans_up(tmp_path):
    base = tmp_path / "m"
    process = subprocess.Popen([sys.executable, "-c", KILLED_SCRIPT, str(base)], env=ENV,
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "WRITING"
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    left = os.listdir(base)
    assert len(left) == 1 and left[0].startswith(".1.tmp-"), left
    assert os.path.isfile(base / left[0] / "saved_model.pb")  # it was killed mid-export
    assert export.versions(str(base)) == [] and export.next_version(str(base)) == 1
    # A staging folder of a process that still runs (this one) is left alone.
    alive = base / f".7.tmp-{socket.gethostname()}-{os.getpid()}-abc"
    alive.mkdir()
    path = export.save(tiny(1), str(base))
    assert path == str(base / "1")
    assert sorted(os.listdir(base)) == [alive.name, "1"]
    np.testing.assert_allclose(_outputs(path, IMAGES), tiny(1).predict(IMAGES.astype("float32"), verbose=0),
                               atol=1e-6)


@pytest.mark.slow
def test_two_processes_exporting_at_once_get_two_complete_versions(tmp_path):
    # This process is the second exporter: a second child would cost a TensorFlow start-up.
    base, go = tmp_path / "m", tmp_path / "go"
    ours = tiny(1)
    process = subprocess.Popen([sys.executable, "-c", RACE_SCRIPT, str(base), str(go), "2"],
                               env=ENV, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "READY"
        go.touch()
        paths = [export.save(ours, str(base)), process.stdout.readline().strip()]
        assert process.wait(timeout=120) == 0
    finally:
        process.kill()
    assert sorted(paths) == [str(base / "1"), str(base / "2")]
    assert sorted(os.listdir(base)) == ["1", "2"]
    for path, seed in zip(paths, (1, 2)):
        card = export.load_metadata(path)
        assert card["version"] == int(os.path.basename(path))
        np.testing.assert_allclose(_outputs(path, IMAGES),
                                   tiny(seed).predict(IMAGES.astype("float32"), verbose=0), atol=1e-6)


def test_losing_the_race_for_a_version_takes_the_next_one(tmp_path, monkeypatch):
    # Another process publishes version 1 between our look at the folder and our rename.
    base = tmp_path / "m"
    (base / "1").mkdir(parents=True)
    (base / "1" / "saved_model.pb").write_bytes(b"theirs")
    looks = iter([1, 2])
    monkeypatch.setattr(versioning, "next_version", lambda base_dir: next(looks))
    staging = versioning.make_staging(str(base), 1)
    open(os.path.join(staging, "saved_model.pb"), "w").close()
    assert versioning.publish(staging, str(base)) == str(base / "2")
    assert (base / "1" / "saved_model.pb").read_bytes() == b"theirs"


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two_renames"])
def test_a_version_is_replaced_only_when_asked(tmp_path, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setattr(versioning, "_exchange", lambda a, b: False)
    base = str(tmp_path / "m")
    first, second = tiny(1), tiny(2)
    path = export.save(first, base, version=3)
    before = _outputs(path, IMAGES)
    with pytest.raises(ValueError, match=r"names an existing export: .*Pass another version, leave "
                                         r"it as None for the next free one, or pass overwrite=True"):
        export.save(second, base, version=3)
    np.testing.assert_array_equal(_outputs(path, IMAGES), before)
    assert export.save(second, base, version=3, overwrite=True) == path
    np.testing.assert_allclose(_outputs(path, IMAGES), second.predict(IMAGES.astype("float32"), verbose=0),
                               atol=1e-6)
    assert not np.allclose(_outputs(path, IMAGES), before)
    assert os.listdir(base) == ["3"]  # neither the old version nor a staging folder is left


def test_an_export_path_that_is_a_file_is_refused(tmp_path):
    target = tmp_path / "taken"
    target.write_text("not a folder")
    with pytest.raises(ValueError, match=r"Argument `base_dir` must be a folder, or a path that does "
                                         r"not exist yet; .*taken' is an existing file"):
        export.save(tiny(0), str(target))
    with pytest.raises(ValueError, match="taken' is an existing file. Received: base_dir="):
        export.save(tiny(0), str(target / "below"))
    assert target.read_text() == "not a folder"


@pytest.mark.parametrize("version", [0, -1, 1.5, "2", True])
def test_bad_versions_are_refused(tmp_path, version):
    with pytest.raises(ValueError, match=r"`version` must be an integer >= 1. Received: version="):
        export.save(tiny(0), str(tmp_path / "m"), version=version)
    assert not os.path.exists(tmp_path / "m")


def test_leftovers_of_other_hosts_and_unknown_names_are_kept(tmp_path):
    base = tmp_path / "m"
    for name in (".2.tmp-otherhost-1-x", ".3.tmp-abc", "notes"):
        (base / name).mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    gone = base / f".4.tmp-{socket.gethostname()}-{dead}-x"
    gone.mkdir()
    assert versioning.clean_leftovers(str(base)) == [gone.name]
    assert sorted(os.listdir(base)) == [".2.tmp-otherhost-1-x", ".3.tmp-abc", "notes"]
