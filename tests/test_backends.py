"""The parts, layers, builders and augmentation policies under the JAX backend.

The backend is fixed when Keras is first imported, so the JAX runs need their own
process: one, shared by the three tests (a TensorFlow + JAX start-up costs ~8 CPU s).
It builds every activation, norm and initializer into one model with Fire modules, LRN
and ceil pooling, trains it (XLA-compiled, JAX's default) and round-trips it through
`.keras`; takes a training step with each builder; and runs the augmentation policies in
tf.data with 1 and 4 parallel map calls. Each part runs on its own: an exception in one
is reported by its test only. XLA compiles without its LLVM optimisations (`XLA_FLAGS`):
the tests check results, not speed, and most of their time was compilation.
"""

import json
import math
import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("jax")
pytestmark = pytest.mark.slow  # the JAX process trains a model with every part

HEADER = textwrap.dedent(
    """
    import itertools, json, os
    import numpy as np
    import keras
    import kerasrecipes as kr
    from kerasrecipes import activations, initializers, layers
    from kerasrecipes.layers import normalization
    import sys

    # The package docstring's promise: parts, layers and models import no TensorFlow.
    out = {"backend": keras.backend.backend(),
           "tensorflow_after_imports": "tensorflow" in sys.modules}
    # No keras.utils.set_random_seed: it seeds TensorFlow too, importing it when installed,
    # which would hide whether our building code does; the parts below take explicit seeds.
    rng = np.random.default_rng(0)
    """
)

LAYERS = textwrap.dedent(
    """

    # Parts: every initializer by name; the statistics that define the seeds' ones.
    shape = (3, 3, 64, 128)
    out["initializers_finite"] = all(
        bool(np.isfinite(keras.ops.convert_to_numpy(initializers.get(n)(shape))).all())
        for n in initializers.names())
    out["small_random_std"] = float(np.std(keras.ops.convert_to_numpy(
        initializers.SmallRandom(seed=1)(shape))))
    out["calibrated_std_x_sqrt_fan_in"] = float(np.std(keras.ops.convert_to_numpy(
        initializers.Calibrated(seed=1)(shape))) * np.sqrt(576))
    rrelu = activations.RReLU(seed=1)
    slopes = -keras.ops.convert_to_numpy(rrelu(-np.ones((32, 32), "float32"), training=True))
    out["rrelu_slopes"] = [float(slopes.min()), float(slopes.max()), float(slopes.std())]
    out["rrelu_inference"] = float(keras.ops.convert_to_numpy(rrelu(-np.ones((1, 1), "float32")))[0, 0])

    # Layers: one conv block per activation, cycling norms and initializers.
    inputs = keras.Input((12, 12, 3), name="images")
    x = keras.layers.Rescaling(1 / 127.5, offset=-1.0)(inputs)
    combos = zip(activations.names(), itertools.cycle(normalization.names() + [None]),
                 itertools.cycle(initializers.names()))
    for i, (act, norm, init) in enumerate(combos):
        init = "he_normal" if init == "zeros" else init
        x = layers.apply_conv_norm_act(x, 8, norm=norm, activation=act, kernel_initializer=init,
                                       kernel_regularizer="l2:1e-4", kernel_constraint="max_norm:3",
                                       name=f"b{i}")
    x = layers.apply_residual_block(x, 8, strides=2, name="res", norm="weight")
    x = layers.apply_fire_block(x, 4, 4, 4, bypass="simple", name="fire2", norm="batch")
    x = layers.apply_fire_block(x, 4, 8, 8, bypass="complex", name="fire3", norm=None)
    x = layers.CeilMaxPooling2D(3, 2)(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(x))
    out["tensorflow_after_building"] = "tensorflow" in sys.modules
    images = rng.integers(0, 256, (16, 12, 12, 3)).astype("float32")
    labels = np.arange(16) % 3
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="sparse_categorical_crossentropy")
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(images, labels, epochs=1, batch_size=8, verbose=0)
    out["layers_loss"] = history.history["loss"][-1]
    out["layers_moved"] = sum(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    out["layers_weights"] = len(before)
    path = os.path.join(os.environ["KR_TMP"], "jax.keras")
    model.save(path)
    reloaded = keras.saving.load_model(path)
    # Eager calls: each predict() would cost an XLA compilation.
    out["reload_max_diff"] = float(np.abs(keras.ops.convert_to_numpy(reloaded(images))
                                          - keras.ops.convert_to_numpy(model(images))).max())
    """
)

BUILDERS = textwrap.dedent(
    """
    # Builders: one training step each.
    for name, kwargs in [("fashion_vgg_small", {}), ("fashion_squeezenet", {"width": 0.25}),
                         ("fashion_resnet", {"width": 0.25})]:
        net = kr.models.get(name, **kwargs)
        x = rng.integers(0, 256, (8, *net.input_shape[1:])).astype("float32")
        net.compile(optimizer=keras.optimizers.SGD(0.01), loss="sparse_categorical_crossentropy")
        first = net.get_weights()[0].copy()
        loss = net.train_on_batch(x, np.arange(8) % net.output_shape[-1])
        out[name] = {"loss": float(loss), "moved": bool(not np.array_equal(first, net.get_weights()[0]))}
    """
)

TF_DATA = textwrap.dedent(
    """
    # Augmentation policies in tf.data: the same batches with 1 or 4 parallel map calls.
    from kerasrecipes.data import pipeline
    from kerasrecipes.layers import augmentation_policy
    x = np.random.default_rng(0).integers(0, 255, (32, 28, 28, 1)).astype("uint8")
    y = np.arange(32, dtype="int32") % 4
    for name in ("strong", "fancy_pca", "randaugment"):
        make = lambda calls: pipeline(x, y, batch_size=8, training=True, seed=2,
            num_parallel_calls=calls, augment=augmentation_policy(name, seed=2))
        a = np.concatenate([b[0].numpy() for b in make(1)])
        b = np.concatenate([b[0].numpy() for b in make(4)])
        out["tf_data_" + name] = {"same": bool(np.array_equal(a, b)),
                                  "changed": float(np.abs(a - x).mean())}
    """
)

# The layers part first: it checks that building imported no TensorFlow, before fit() does.
PARTS = {"layers": LAYERS, "builders": BUILDERS, "tf_data": TF_DATA}
RUNNER = textwrap.dedent(
    """
    import traceback
    for _part, _code in PARTS.items():
        try:
            exec(_code, globals())
        except Exception:
            out[_part + "_error"] = traceback.format_exc()[-3000:]
    print("RESULT " + json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def jax_run(tmp_path_factory):
    """The three parts in one JAX-backend process; its `out` dict."""
    script = HEADER + f"PARTS = {PARTS!r}\n" + RUNNER
    env = {**os.environ, "KERAS_BACKEND": "jax", "KR_TMP": str(tmp_path_factory.mktemp("jax")),
           "TF_CPP_MIN_LOG_LEVEL": "3", "JAX_PLATFORMS": "cpu",
           "XLA_FLAGS": "--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true",
           "PYTHONPATH": os.pathsep.join([os.getcwd(), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    line = [l for l in result.stdout.splitlines() if l.startswith("RESULT ")][-1]
    out = json.loads(line[len("RESULT "):])
    assert out["backend"] == "jax"
    # Keras itself imports TensorFlow later, in fit() and saving, when it is installed.
    assert not out["tensorflow_after_imports"], "importing parts/layers/models imported TensorFlow"
    return out


def _part(out, name):
    assert name + "_error" not in out, out.get(name + "_error")
    return out


@pytest.mark.xdist_group("jax_backend")  # one worker runs the JAX process once
def test_parts_and_layers_train_and_reload_under_jax(jax_run):
    out = _part(jax_run, "layers")
    assert out["initializers_finite"]
    assert abs(out["small_random_std"] / 0.001 - 1) < 0.02
    assert abs(out["calibrated_std_x_sqrt_fan_in"] - 1) < 0.02
    low, high, spread = out["rrelu_slopes"]
    assert 1 / 8 <= low and high <= 1 / 3 and spread > 0.05
    assert out["rrelu_inference"] == pytest.approx(-(1 / 8 + 1 / 3) / 2, rel=1e-6)
    assert not out["tensorflow_after_building"], "building layers under JAX imported TensorFlow"
    assert math.isfinite(out["layers_loss"]) and out["layers_loss"] < 10
    assert out["layers_moved"] >= out["layers_weights"] // 2
    assert out["reload_max_diff"] < 1e-6


@pytest.mark.xdist_group("jax_backend")
def test_builders_train_a_step_under_jax(jax_run):
    out = _part(jax_run, "builders")
    for name in ("fashion_vgg_small", "fashion_squeezenet", "fashion_resnet"):
        assert out[name]["moved"] and out[name]["loss"] < 10, (name, out[name])


@pytest.mark.xdist_group("jax_backend")
def test_policies_run_and_reproduce_in_tf_data_under_jax(jax_run):
    out = _part(jax_run, "tf_data")
    for name in ("strong", "fancy_pca", "randaugment"):
        run = out["tf_data_" + name]
        assert run["same"] and run["changed"] > 1, (name, run)
