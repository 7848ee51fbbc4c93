"""Precision and XLA by device. No GPU or TPU here: device detection is mocked."""

import keras
import pytest

from kerasrecipes.training import precision
from kerasrecipes.training.precision import Device

AMX = frozenset({"avx512f", "avx512_bf16", "amx_bf16", "amx_tile"})
AVX512_BF16 = frozenset({"avx512f", "avx512_bf16"})
AVX2 = frozenset({"avx", "avx2", "fma"})


def test_cpu_flags_are_read_from_cpuinfo(tmp_path):
    with_amx = tmp_path / "a"
    with_amx.write_text("processor : 0\nmodel name : Xeon\nflags\t\t: fpu sse avx512_bf16 amx_bf16 amx_tile\n")
    without = tmp_path / "b"
    without.write_text("processor : 0\nflags\t\t: fpu sse avx2\n")
    assert precision.cpu_has_amx_bf16(str(with_amx)) is True
    assert precision.cpu_has_amx_bf16(str(without)) is False
    assert precision.cpu_has_amx_bf16(str(tmp_path / "missing")) is False
    assert precision.cpu_flags(str(without)) == {"fpu", "sse", "avx2"}


@pytest.mark.parametrize("device, policy, xla", [
    (Device("cpu", cpu_flags=AVX2), "float32", False),
    (Device("cpu", cpu_flags=AMX), "mixed_bfloat16", False),
    # AVX512-BF16 without AMX: not measured, so float32 (see the module docstring).
    (Device("cpu", cpu_flags=AVX512_BF16), "float32", False),
    (Device("gpu", compute_capability=(6, 1)), "float32", "auto"),
    (Device("gpu", compute_capability=(7, 0)), "mixed_float16", "auto"),
    (Device("gpu", compute_capability=(9, 0)), "mixed_float16", "auto"),
    (Device("gpu", compute_capability=None), "float32", "auto"),
    (Device("tpu"), "mixed_bfloat16", "auto"),
], ids=["cpu", "cpu-amx", "cpu-avx512bf16", "gpu-cc6.1", "gpu-cc7.0", "gpu-cc9.0",
        "gpu-unknown-cc", "tpu"])
def test_auto_resolves_by_device(device, policy, xla):
    assert precision.resolve("auto", device) == policy
    assert precision.resolve_jit_compile(None, device) == xla
    assert precision.resolve_jit_compile("auto", device) == xla
    # An explicit choice wins on every device.
    assert precision.resolve("float32", device) == "float32"
    assert precision.resolve_jit_compile(True, device) is True


@pytest.mark.parametrize("tpu, gpus, flags, expected", [
    (False, [], AVX2, Device("cpu", name="Test CPU", cpu_flags=AVX2)),
    (False, [("Tesla P100", (6, 0)), ("Tesla V100", (7, 0))], AVX2,
     Device("gpu", name="Tesla P100", count=2, compute_capability=(6, 0))),
    (True, [("Tesla V100", (7, 0))], AVX2, Device("tpu", name="TPU")),
], ids=["cpu", "mixed-gpus-weakest-wins", "tpu-first"])
def test_detect_prefers_tpu_then_gpus_then_cpu(monkeypatch, tpu, gpus, flags, expected):
    monkeypatch.setattr(precision, "_tpu_visible", lambda: tpu)
    monkeypatch.setattr(precision, "_gpu_details", lambda: gpus)
    monkeypatch.setattr(precision, "cpu_flags", lambda: flags)
    monkeypatch.setattr(precision, "_cpu_name", lambda: "Test CPU")
    assert precision.detect() == expected


def test_detect_on_this_machine_sees_its_cpu_and_stays_float32():
    # The test machines have no GPU; auto is float32 where the CPU has no AMX. XLA off.
    device = precision.detect()
    assert device.kind == "cpu"
    if "amx_bf16" not in device.cpu_flags:
        assert precision.resolve("auto") == "float32"
    assert precision.resolve_jit_compile(None) is False


def test_compute_capability_strings_from_jax_are_parsed():
    assert precision._parse_capability("8.6") == (8, 6)
    assert precision._parse_capability((7, 5)) == (7, 5)
    assert precision._parse_capability(None) is None


def test_unknown_precision_lists_names():
    with pytest.raises(ValueError, match=r"`precision` must be one of .*Did you mean 'mixed_bfloat16'"):
        precision.resolve("mixed_bfloat61")
    with pytest.raises(ValueError, match=r"`jit_compile` must be True, False, None or 'auto'. Received: jit_compile='xla'"):
        precision.resolve_jit_compile("xla")


def test_mixed_float16_compiles_with_loss_scaling_and_float32_outputs():
    import kerasrecipes as kr

    with precision.policy_scope("mixed_float16"):
        model = kr.models.get("fashion_vgg_small", input_shape=(28, 28, 1), classes=10, width=0.25)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    assert model.layers[1].compute_dtype == "float16"
    assert model.output.dtype == "float32"


def test_describe_run_names_device_policy_replicas_and_xla():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(loss="mse", jit_compile=False)
    line = precision.describe_run(model, Device("gpu", name="Tesla V100", count=1,
                                                compute_capability=(7, 0)))
    assert line == "Training on GPU (Tesla V100, cc 7.0), 1 replica, precision float32, XLA off"


def test_policy_scope_applies_inside_and_restores_after_errors():
    before = keras.config.dtype_policy().name
    with pytest.raises(RuntimeError):
        with precision.policy_scope("mixed_bfloat16"):
            layer = keras.layers.Dense(2)
            raise RuntimeError("boom")
    assert layer.compute_dtype == "bfloat16" and layer.variable_dtype == "float32"
    assert keras.config.dtype_policy().name == before


def test_float32_copy_keeps_the_weights_and_computes_in_float32():
    import numpy as np

    with precision.policy_scope("mixed_float16"):
        inner = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu")])
        inputs = keras.Input((4,))
        model = keras.Model(inputs, keras.layers.Dense(3, dtype="float32")(inner(inputs)))
    model.compile(optimizer="sgd", loss="mse")  # a LossScaleOptimizer: not rebuilt
    copy = precision.float32_copy(model)
    assert copy is not model and model.layers[1].layers[0].compute_dtype == "float16"
    names = {layer.dtype_policy.name for layer in [copy, *copy.layers, *copy.layers[1].layers]}
    assert names == {"float32"}
    for a, b in zip(model.get_weights(), copy.get_weights()):
        np.testing.assert_array_equal(a, b)
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    np.testing.assert_allclose(copy.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-2)
    plain = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    assert precision.float32_copy(plain) is plain
