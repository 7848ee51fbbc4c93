"""The parts, layers and builders under the JAX backend, in subprocesses.

The backend is fixed when Keras is first imported, so the JAX runs need their own
processes. One builds every activation, norm and initializer into one model with Fire
modules, LRN and ceil pooling, trains it (XLA-compiled, JAX's default) and round-trips it
through `.keras`; the other takes a training step with each builder. They are two
parametrized cases so that pytest-xdist runs them side by side. XLA compiles without its
LLVM optimisations (`XLA_FLAGS`): the tests check results, not speed, and most of their
time was compilation.
"""

import json
import math
import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("jax")

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
    print("RESULT " + json.dumps(out))
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
    print("RESULT " + json.dumps(out))
    """
)


def _run_under_jax(script, tmp_path):
    env = {**os.environ, "KERAS_BACKEND": "jax", "KR_TMP": str(tmp_path),
           "TF_CPP_MIN_LOG_LEVEL": "3", "JAX_PLATFORMS": "cpu",
           "XLA_FLAGS": "--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true",
           "PYTHONPATH": os.pathsep.join([os.getcwd(), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-c", HEADER + script], env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    line = [l for l in result.stdout.splitlines() if l.startswith("RESULT ")][-1]
    out = json.loads(line[len("RESULT "):])
    assert out["backend"] == "jax"
    # Keras itself imports TensorFlow later, in fit() and saving, when it is installed.
    assert not out["tensorflow_after_imports"], "importing parts/layers/models imported TensorFlow"
    return out


def test_parts_and_layers_train_and_reload_under_jax(tmp_path):
    out = _run_under_jax(LAYERS, tmp_path)
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


def test_builders_train_a_step_under_jax(tmp_path):
    out = _run_under_jax(BUILDERS, tmp_path)
    for name in ("fashion_vgg_small", "fashion_squeezenet", "fashion_resnet"):
        assert out[name]["moved"] and out[name]["loss"] < 10, (name, out[name])
