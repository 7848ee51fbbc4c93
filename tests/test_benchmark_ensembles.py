"""benchmarks/ensembles.py on `--quick` settings, so the code cannot rot (no assertion on time)."""

import json

import pytest

import kerasrecipes as kr
from tests.test_benchmark_compare import _module


@pytest.fixture(scope="module")
def ensembles():
    return _module("benchmarks/ensembles.py", "_bench_ensembles")


def test_matching_width_finds_the_width_with_the_ensembles_parameters(ensembles):
    # The recipe's dropout is None (the preset's value): the builder must not receive it.
    assert kr.recipes.config("fashion_mnist_vgg").dropout is None
    member = kr.models.get("fashion_vgg_small", width=0.25).count_params()
    width, params = ensembles.matching_width(5 * member, {"epochs": 2})
    assert 0.25 < width < 1.0
    assert params == kr.models.get("fashion_vgg_small", width=width).count_params()
    assert abs(params - 5 * member) / (5 * member) < 0.02


@pytest.mark.slow
def test_quick_run_summarises_every_fusion_against_the_best_member(ensembles, capsys):
    assert ensembles.main(["--quick"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(summary["ensemble"]) == set(ensembles.FUSIONS)
    best = summary["best_member"]["mean"]
    for fusion, stats in summary["ensemble"].items():
        assert 0.0 < stats["mean"] <= 1.0
        assert summary["gain_over_best_member_points"][fusion]["mean"] == pytest.approx(
            100 * (stats["mean"] - best), abs=0.02)
    assert summary["savedmodel_mb"]["ensemble"] > summary["savedmodel_mb"]["member"]
