# The two set-up commands of the README: `make train` and `make test`.
# PYTHON is python3, or a project venv (.venv/bin/python) that scripts/python_for_make.sh
# creates where python3 is "externally managed" (PEP 668: Debian 12, Ubuntu 23.04+).
# Inside a venv, conda env or Colab, python3 itself is used. `make PYTHON=...` overrides.
ifndef PYTHON
BASE_PYTHON ?= python3
PYTHON := $(shell sh scripts/python_for_make.sh $(BASE_PYTHON))
ifeq ($(PYTHON),)
$(error no Python to install into; see the python_for_make message above)
endif
endif
PIP := $(PYTHON) -m pip

.PHONY: data install install-test train test

# Debian's dataset-fashion-mnist puts the IDX files in /usr/share/datasets/fashion-mnist.
# Without apt (macOS, Colab without root) the loader falls back to Keras' download.
data:
	@if dpkg -s dataset-fashion-mnist >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  (apt-get install -y -qq dataset-fashion-mnist || (apt-get update -qq && apt-get install -y -qq dataset-fashion-mnist)); \
	elif command -v sudo >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then \
	  sudo apt-get update -qq && sudo apt-get install -y -qq dataset-fashion-mnist; \
	else echo "apt-get not available: Fashion-MNIST will come from Keras' cache or download"; fi

install: data
	$(PIP) install -q -e .

install-test: data
	$(PIP) install -q -e ".[test]"

# Trains the default recipe on the full Fashion-MNIST and exports it to saved_models/.
train: install
	$(PYTHON) -m kerasrecipes train fashion_mnist_vgg --export

# Two pytest workers (pytest-xdist): much of the suite is single-threaded TensorFlow start-up
# and tracing, so two processes on CI's two cores cut its wall time. `--dist loadgroup` keeps
# the tests marked `xdist_group` on one worker (tests/conftest.py also groups each module
# with a module-scoped fixture), so an expensive fixture they share is built once, not once
# per worker. `--no-loadscope-reorder` keeps conftest's order: the slow modules first.
test: install-test
	$(PYTHON) -m pytest -q -n 2 --dist loadgroup --no-loadscope-reorder
