"""Shared fixtures: real Fashion-MNIST (loaded once) and quiet TensorFlow logs."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def fashion_mnist():
    from kerasrecipes import data

    return data.load("fashion_mnist")
