import keras
import pytest

from kerasrecipes.training import precision


def test_cpu_flag_is_read_from_cpuinfo(tmp_path):
    with_amx = tmp_path / "a"
    with_amx.write_text("processor : 0\nflags\t\t: fpu sse avx512_bf16 amx_bf16 amx_tile\n")
    without = tmp_path / "b"
    without.write_text("processor : 0\nflags\t\t: fpu sse avx2\n")
    assert precision.cpu_has_amx_bf16(str(with_amx)) is True
    assert precision.cpu_has_amx_bf16(str(without)) is False
    assert precision.cpu_has_amx_bf16(str(tmp_path / "missing")) is False


@pytest.mark.parametrize("amx, gpu, expected", [
    (True, False, "mixed_bfloat16"), (False, False, "float32"), (True, True, "float32"),
])
def test_auto_picks_bfloat16_only_on_amx_cpus(monkeypatch, amx, gpu, expected):
    monkeypatch.setattr(precision, "cpu_has_amx_bf16", lambda: amx)
    monkeypatch.setattr(precision, "_gpu_visible", lambda: gpu)
    assert precision.resolve("auto") == expected
    assert precision.resolve("float32") == "float32"


def test_unknown_precision_lists_names():
    with pytest.raises(ValueError, match=r"`precision` must be one of .*Did you mean 'mixed_bfloat16'"):
        precision.resolve("mixed_bfloat61")


def test_policy_scope_applies_inside_and_restores_after_errors():
    before = keras.config.dtype_policy().name
    with pytest.raises(RuntimeError):
        with precision.policy_scope("mixed_bfloat16"):
            layer = keras.layers.Dense(2)
            raise RuntimeError("boom")
    assert layer.compute_dtype == "bfloat16" and layer.variable_dtype == "float32"
    assert keras.config.dtype_policy().name == before
