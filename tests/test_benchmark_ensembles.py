"""benchmarks/ensembles.py: the width matching its full run needs before the wide model.

A `--quick` run (about 45 CPU-s) is left out of the suite: CI's 10 minutes have no room for it."""

import pytest

import kerasrecipes as kr
from tests.test_benchmark_compare import _module


@pytest.fixture(scope="module")
def ensembles():
    return _module("benchmarks/ensembles.py", "_bench_ensembles")


def test_matching_width_finds_the_width_with_the_ensembles_parameters(ensembles):
    # The recipe's dropout is None (the preset's value): the builder must not receive it.
    config = kr.recipes.config("fashion_mnist_vgg")
    assert config.dropout is None
    member = kr.models.get(config.model, width=0.25).count_params()
    width, params = ensembles.matching_width(5 * member, {"epochs": 2})
    assert 0.25 < width < 1.0
    assert params == kr.models.get(config.model, width=width).count_params()
    assert abs(params - 5 * member) / (5 * member) < 0.02

