"""Hostile model files are refused before any of their code runs; our own files load."""

import json
import os
import subprocess
import sys
import zipfile

import keras
import numpy as np
import pytest

from kerasrecipes import cli
from kerasrecipes import saving
from kerasrecipes.layers import LocalResponseNormalization


def small_model(*layers):
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), *layers])


def rewrite_config(path, edit):
    """Rewrites config.json inside the .keras zip at `path` with `edit(config)`."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    edit(config)
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def layer_configs(config):
    return config["config"]["layers"]


def function_entry(module, name):
    return {"module": module, "class_name": "function", "config": name, "registered_name": name}


@pytest.fixture
def marker(tmp_path):
    return str(tmp_path / "code-ran")


def lambda_writing(marker):
    return keras.layers.Lambda(lambda x: (open(marker, "w").close(), x)[1])


def save_hostile(model, path, marker):
    """Saves `model`; the marker its Lambda wrote while it was built here is removed, so
    the marker exists afterwards only if loading ran the code."""
    model.save(path)
    if os.path.exists(marker):
        os.remove(marker)


def test_config_naming_os_system_is_refused(tmp_path, marker):
    path = str(tmp_path / "os_system.keras")
    small_model(keras.layers.Activation("relu")).save(path)
    rewrite_config(path, lambda c: layer_configs(c)[-1]["config"].update(
        activation=function_entry("os", "system")))
    with pytest.raises(ValueError, match=r"holds the function os\.system"):
        saving.load_model(path)


def test_lambda_with_marshalled_code_is_refused(tmp_path, marker):
    path = str(tmp_path / "lambda.keras")
    save_hostile(small_model(lambda_writing(marker)), path, marker)
    with pytest.raises(ValueError, match="holds a Lambda layer"):
        saving.load_model(path)
    assert not os.path.exists(marker)


@pytest.mark.parametrize("function", [("keras.saving", "load_model"),
                                      ("keras.src.saving.saving_api", "load_model"),
                                      ("keras.config", "enable_unsafe_deserialization")])
def test_lambda_calling_load_model_unsafely_is_refused(tmp_path, marker, function):
    """CVE-2025-1550 / -8747 / -9906: an outer archive whose Lambda loads an inner one
    with safe_mode=False (or turns safe mode off), the inner one running code."""
    inner = str(tmp_path / "inner.keras")
    save_hostile(small_model(lambda_writing(marker)), inner, marker)
    outer = str(tmp_path / "outer.keras")
    small_model(keras.layers.Lambda(lambda x: x)).save(outer)

    def edit(config):
        lam = layer_configs(config)[-1]["config"]
        lam["function"] = function_entry(*function)
        lam["arguments"] = {"filepath": inner, "safe_mode": False}

    rewrite_config(outer, edit)
    with pytest.raises(ValueError, match=f"holds .*{function[0]}.{function[1]}"):
        saving.load_model(outer)
    assert not os.path.exists(marker)


def test_function_hidden_in_an_activation_is_refused_even_without_lambda(tmp_path):
    path = str(tmp_path / "activation.keras")
    small_model(keras.layers.Activation("relu")).save(path)
    rewrite_config(path, lambda c: layer_configs(c)[-1]["config"].update(
        activation=function_entry("keras.saving", "load_model")))
    with pytest.raises(ValueError, match=r"the function keras\.saving\.load_model"):
        saving.load_model(path)


def test_keras_safe_mode_alone_also_refuses_the_lambda(tmp_path, marker):
    """Defence in depth: even past our check, Keras' own safe mode holds."""
    path = str(tmp_path / "lambda.keras")
    save_hostile(small_model(lambda_writing(marker)), path, marker)
    with pytest.raises(ValueError, match="safe_mode"):
        keras.saving.load_model(path, safe_mode=True)
    assert not os.path.exists(marker)


def test_h5_refused_unless_trusted(tmp_path, marker):
    path = str(tmp_path / "legacy.h5")
    model = small_model(keras.layers.Activation("relu"))
    model.save(path)
    with pytest.raises(ValueError, match=r"legacy HDF5 .*CVE-2025-9905.*trust_h5=True"):
        saving.load_model(path)
    loaded = saving.load_model(path, trust_h5=True)
    x = np.ones((2, 4), "float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_h5_with_code_never_runs_it_without_trust(tmp_path, marker):
    path = str(tmp_path / "lambda.h5")
    save_hostile(small_model(lambda_writing(marker)), path, marker)
    with pytest.raises(ValueError, match="CVE-2025-9905"):
        saving.load_model(path)
    assert not os.path.exists(marker)


@pytest.mark.parametrize("name, content, message", [
    ("model.pkl", b"x", r"must end in \.keras"),
    ("notzip.keras", b"not a zip", "must be a .keras archive"),
    ("missing.keras", None, "must be an existing .keras file"),
])
def test_other_files_are_refused(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        saving.load_model(path)


def test_registered_objects_load_without_custom_objects_in_a_fresh_process(tmp_path):
    path = str(tmp_path / "lrn.keras")
    model = keras.Sequential([keras.Input((4, 4, 3)), LocalResponseNormalization(depth_radius=1)])
    model.save(path)
    code = ("import sys; from kerasrecipes import saving; "
            "m = saving.load_model(sys.argv[1]); print(type(m.layers[-1]).__name__, "
            "m.layers[-1].get_config()['depth_radius'])")
    result = subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True,
                            timeout=120, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert result.stdout.split() == ["LocalResponseNormalization", "1"], result.stderr


def test_cli_export_refuses_a_hostile_archive_with_one_line(tmp_path, capsys, marker):
    path = str(tmp_path / "lambda.keras")
    save_hostile(small_model(lambda_writing(marker)), path, marker)
    status = cli.main(["export", path, "--export-dir", str(tmp_path / "sm")])
    err = capsys.readouterr().err
    assert status == 2 and "holds a Lambda layer" in err and len(err.strip().splitlines()) == 1
    assert not os.path.exists(marker) and not os.path.exists(tmp_path / "sm")


def test_no_direct_keras_load_in_the_library():
    """Every load goes through kerasrecipes.saving.load_model (safe mode, no .h5)."""
    root = os.path.dirname(saving.__file__)
    offenders = []
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            if name.endswith(".py") and path != saving.__file__:
                text = open(path).read()
                if "load_model(" in text.replace("saving.load_model(", "") or "safe_mode=False" in text:
                    offenders.append(path)
    assert not offenders
