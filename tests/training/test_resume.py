"""A run killed with SIGKILL mid-epoch and started again ends where an unbroken run ends."""

import os
import signal
import subprocess
import sys

import numpy as np
import pytest

DRIVER = os.path.join(os.path.dirname(__file__), "resume_driver.py")


def start(*args):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.Popen([sys.executable, DRIVER, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env)


def finish(process):
    out, _ = process.communicate(timeout=300)
    assert process.returncode == 0, out
    return out


@pytest.mark.slow
def test_killed_mid_epoch_then_resumed_matches_an_unbroken_run(tmp_path):
    unbroken, resumed, backup = (str(tmp_path / n) for n in ("unbroken.npz", "resumed.npz", "backup"))
    reference = start(unbroken)
    victim = start(resumed, backup)
    for line in victim.stdout:  # the driver waits mid-epoch 1 (5 of 10 batches done)
        if "KILL-ME" in line:
            break
    else:
        pytest.fail("the run ended before reaching the kill point")
    assert os.path.exists(os.path.join(backup, "state.json"))
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=60)
    assert victim.returncode == -signal.SIGKILL
    from kerasrecipes.training import resume

    assert resume.read_position(backup) == (1, 3)  # the last backup: batch 3 of epoch 1
    finish(start(resumed, backup))
    finish(reference)

    a, b = np.load(unbroken), np.load(resumed)
    assert int(a["iterations"]) == int(b["iterations"]) == 30
    assert int(b["epochs"]) == 3  # the history covers the epochs before the kill too
    assert sorted(a.files) == sorted(b.files)
    for key in a.files:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    assert not os.path.exists(backup)  # a finished run removes its backup
