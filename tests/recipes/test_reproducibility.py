"""`seed=` with `deterministic=True`: the same weights bit for bit, whatever the number of
parallel tf.data map calls; another seed, other weights. Separate processes, as a user
would run them."""

import os
import subprocess
import sys

import numpy as np
import pytest

DRIVER = os.path.join(os.path.dirname(__file__), "repro_driver.py")


@pytest.mark.slow
def test_same_seed_same_weights_with_1_or_8_map_calls_other_seed_other_weights(tmp_path):
    runs = {"seed1_calls1": (1, 1), "seed1_calls8": (1, 8), "seed2_calls8": (2, 8)}
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    processes = {
        name: subprocess.Popen([sys.executable, DRIVER, str(seed), str(calls),
                                str(tmp_path / f"{name}.npz")],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        for name, (seed, calls) in runs.items()
    }
    for name, process in processes.items():
        out, _ = process.communicate(timeout=300)
        assert process.returncode == 0, f"{name}: {out[-3000:]}"
    weights = {name: np.load(tmp_path / f"{name}.npz") for name in runs}
    a, b, c = weights["seed1_calls1"], weights["seed1_calls8"], weights["seed2_calls8"]
    for key in a.files:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    assert any(not np.array_equal(a[key], c[key]) for key in a.files)
