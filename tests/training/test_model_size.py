import pytest

from kerasrecipes.training import diagnostics


def test_extreme_parameters_per_sample_are_reported_with_their_numbers():
    curves = {"loss": [2.0, 1.0, 0.7, 0.6], "accuracy": [0.5, 0.8, 0.9, 0.92],
              "val_loss": [2.0, 1.1, 0.8, 0.7], "val_accuracy": [0.5, 0.8, 0.9, 0.91]}
    large = diagnostics.diagnose(curves, params=2_000_000, samples=1000)
    assert [f.code for f in large] == ["healthy", "model_too_large"]
    assert large[1].evidence == {"params": 2_000_000, "samples": 1000,
                                 "params_per_sample": 2000.0, "limit": 1000.0}
    assert "params_per_sample=2000" in str(large[1])
    small = diagnostics.diagnose(curves, params=500, samples=60_000)
    assert small[-1].code == "model_too_small"
    assert small[-1].evidence["params_per_sample"] == pytest.approx(500 / 60_000)
    # The default recipe's ~1.7M parameters on 54,000 images is ordinary: nothing said.
    assert [f.code for f in diagnostics.diagnose(curves, params=1_700_000, samples=54_000)] == \
        ["healthy"]
    assert [f.code for f in diagnostics.diagnose(curves)] == ["healthy"]  # size unknown
    assert [f.code for f in diagnostics.diagnose({"loss": [1.0]}, params=10**6, samples=10)] == \
        ["too_short", "model_too_large"]


def test_bad_sizes_are_rejected():
    with pytest.raises(ValueError, match=r"Argument `samples` must be an integer > 0. "
                                         r"Received: samples=0"):
        diagnostics.size_findings(10, 0)
    with pytest.raises(ValueError, match=r"Argument `params` must be an integer >= 0"):
        diagnostics.size_findings(-1, 10)
