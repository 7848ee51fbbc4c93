"""`seed=` with `deterministic=True`: the same weights bit for bit, whatever the number of
parallel tf.data map calls; another seed, other weights. Separate processes, as a user
would run them: two (a TensorFlow start-up costs ~8 CPU s). The first trains seed 2 and
then seed 1 with 1 map call, so its seed-1 run must also be untouched by an earlier run
in the same process; the second trains seed 1 with 8 map calls, first thing."""

import os
import subprocess
import sys

import numpy as np
import pytest

DRIVER = os.path.join(os.path.dirname(__file__), "repro_driver.py")


@pytest.mark.slow
def test_same_seed_same_weights_with_1_or_8_map_calls_other_seed_other_weights(tmp_path):
    processes = {  # name: its runs, in order (seed, map calls, name of the weights)
        "first": [(2, 1, "seed2_calls1"), (1, 1, "seed1_calls1")],
        "second": [(1, 8, "seed1_calls8")],
    }
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    started = {
        name: subprocess.Popen([sys.executable, DRIVER] + [
            str(v) for seed, calls, run in runs for v in (seed, calls, tmp_path / f"{run}.npz")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        for name, runs in processes.items()
    }
    for name, process in started.items():
        out, _ = process.communicate(timeout=300)
        assert process.returncode == 0, f"{name}: {out[-3000:]}"
    weights = {run: np.load(tmp_path / f"{run}.npz")
               for runs in processes.values() for _, _, run in runs}
    a, b, c = weights["seed1_calls1"], weights["seed1_calls8"], weights["seed2_calls1"]
    for key in a.files:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    assert any(not np.array_equal(a[key], c[key]) for key in a.files)
