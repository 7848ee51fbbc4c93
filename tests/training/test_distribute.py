"""tf.distribute without GPUs: 2 logical CPU devices, and 2 worker processes on 127.0.0.1.

Each distributed run trains the same tiny recipe (no batch norm, no dropout, no
augmentation: the maths is then the same on any number of replicas) with `batch_size`
per replica; the single-device reference trains on the global batch with the linearly
scaled learning rate. Their losses must agree. The training set is one global batch,
so each epoch is one full-batch step whatever order the shuffle gives (Keras draws one
extra batch to build a model under a strategy, which moves the shuffle on by an epoch).
"""

import json
import os
import socket
import subprocess
import sys
import textwrap

import pytest

from kerasrecipes.training import distribute

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TINY = dict(model="fashion_vgg_small", width=0.25, norm="off", dropout=0.0, augment="none",
            optimizer="sgd", schedule="constant", warmup_epochs=0.0, train_samples=64,
            epochs=3, seed=3, precision="float32")
PER_REPLICA, LR = 32, 0.02
TOLERANCE = 1e-3  # relative; float sums in another order, nothing more

# Runs one recipe in a fresh interpreter; prints its loss as JSON on the last line.
WORKER = textwrap.dedent("""
    import json, os, sys
    import tensorflow as tf
    logical = int(os.environ.get("KR_LOGICAL_CPUS", "0"))
    if logical:  # must happen before TensorFlow's runtime starts
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * logical)
    import kerasrecipes as kr
    overrides = json.loads(sys.argv[1])
    recipe = kr.recipes.get("fashion_mnist_vgg")(**overrides)
    history = recipe.fit(verbose=0)
    print(json.dumps({"loss": history.history["loss"][-1],
                      "replicas": int(recipe.strategy.num_replicas_in_sync)}))
""")


def _free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _start(tmp_path, overrides, **env):
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    environ = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="3", **env)
    return subprocess.Popen([sys.executable, str(script), json.dumps(overrides)], env=environ,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _result(process, timeout=120):
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"worker did not stop within {timeout} s:\n{err[-3000:]}")
    assert process.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def single_device_loss(tmp_path_factory):
    """One device, the global batch (2 × per replica) and the linearly scaled LR."""
    process = _start(tmp_path_factory.mktemp("single"),
                     dict(TINY, batch_size=2 * PER_REPLICA, learning_rate=2 * LR))
    result = _result(process)
    assert result["replicas"] == 1
    return result["loss"]


@pytest.mark.slow
@pytest.mark.xdist_group("distribute_single_device")  # one worker runs the reference once
def test_mirrored_over_two_logical_cpus_matches_one_device(tmp_path, single_device_loss):
    result = _result(_start(tmp_path, dict(TINY, batch_size=PER_REPLICA, learning_rate=LR,
                                           strategy="mirrored"), KR_LOGICAL_CPUS="2"))
    assert result["replicas"] == 2
    assert result["loss"] == pytest.approx(single_device_loss, rel=TOLERANCE)


@pytest.mark.slow
@pytest.mark.xdist_group("distribute_single_device")
def test_multi_worker_with_two_processes_matches_one_device(tmp_path, single_device_loss):
    ports = _free_ports(2)
    cluster = {"worker": [f"127.0.0.1:{port}" for port in ports]}
    overrides = dict(TINY, batch_size=PER_REPLICA, learning_rate=LR, strategy="multi_worker")
    workers = [
        _start(tmp_path, overrides, TF_CONFIG=json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}}))
        for index in range(2)
    ]
    results = [_result(w) for w in workers]
    assert [r["replicas"] for r in results] == [2, 2]
    for result in results:
        assert result["loss"] == pytest.approx(single_device_loss, rel=TOLERANCE)


def test_global_batch_and_linear_learning_rate_scale_with_replicas():
    class FakeStrategy:
        num_replicas_in_sync = 4

    assert distribute.global_batch_size(32, FakeStrategy()) == 128
    assert distribute.scale_learning_rate(0.1, FakeStrategy()) == pytest.approx(0.4)
    assert distribute.scale_learning_rate(0.1, FakeStrategy(), "none") == 0.1
    assert distribute.global_batch_size(32, None) == 32


def test_shard_policy_follows_the_source():
    import tensorflow as tf

    policy = tf.data.experimental.AutoShardPolicy
    dataset = tf.data.Dataset.range(4)
    assert (distribute.shard(dataset, "memory").options()
            .experimental_distribute.auto_shard_policy == policy.DATA)
    assert (distribute.shard(dataset, "files").options()
            .experimental_distribute.auto_shard_policy == policy.FILE)


def test_default_strategy_is_one_replica_and_objects_pass_through():
    import tensorflow as tf

    strategy = distribute.get("default")
    assert distribute.replicas(strategy) == 1
    mirrored = tf.distribute.OneDeviceStrategy("/cpu:0")
    assert distribute.get(mirrored) is mirrored


@pytest.mark.parametrize("value, error, match", [
    ("mirored", ValueError, r"Argument `strategy` must be one of .*Did you mean 'mirrored'"),
    (3, TypeError, r"Argument `strategy` must be one of .* or a tf.distribute.Strategy. Received: strategy=3"),
])
def test_bad_strategy_is_refused_before_building(value, error, match):
    with pytest.raises(error, match=match):
        distribute.check(value)


def test_bad_strategy_key_fails_the_recipe_before_any_data(monkeypatch):
    import kerasrecipes as kr

    monkeypatch.setattr(kr.data, "load", lambda *a, **k: pytest.fail("data was loaded"))
    with pytest.raises(ValueError, match=r"`strategy` must be one of"):
        kr.recipes.get("fashion_mnist_vgg")(strategy="tpuu")
    with pytest.raises(ValueError, match=r"`lr_scaling` must be one of"):
        kr.recipes.get("fashion_mnist_vgg")(lr_scaling="sqrt")


def test_cli_strategy_flag_sets_the_key_and_refuses_unknown_names(capsys):
    from kerasrecipes import cli

    assert cli.main(["config", "fashion_mnist_vgg", "--strategy", "mirrored"]) == 0
    assert '"strategy": "mirrored"' in capsys.readouterr().out
    assert cli.main(["config", "fashion_mnist_vgg", "--strategy", "mirored"]) == 2
    assert "Did you mean 'mirrored'" in capsys.readouterr().err
