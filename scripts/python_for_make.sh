#!/bin/sh
# Prints the Python interpreter `make` installs into and runs: the given one (default
# python3), or the project's .venv/bin/python, created here, when that interpreter is
# "externally managed" (PEP 668: Debian 12, Ubuntu 23.04+ system Pythons refuse
# `pip install` outside a virtual environment).
#
# The given interpreter is kept when a virtual environment or conda env is active, in
# Colab, when it already runs inside a venv, or when it is not externally managed
# (pyenv, python.org, Homebrew builds...), so those machines install exactly as before.
# Messages go to stderr; stdout carries only the interpreter.
set -u
BASE="${1:-python3}"
VENV="${KERASRECIPES_VENV:-.venv}"

say() { echo "python_for_make: $*" >&2; }

if [ -n "${VIRTUAL_ENV:-}" ] || [ -n "${CONDA_PREFIX:-}" ] || [ -n "${COLAB_RELEASE_TAG:-}" ]; then
  echo "$BASE"; exit 0
fi

state=$("$BASE" -c 'import os, sys, sysconfig
marker = os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")
print("venv" if sys.prefix != sys.base_prefix else "managed" if os.path.exists(marker) else "free")') || {
  say "cannot run $BASE; pass another interpreter with make PYTHON=/path/to/python"; exit 1; }

if [ "$state" != "managed" ]; then
  echo "$BASE"; exit 0
fi

if [ -x "$VENV/bin/python" ]; then
  echo "$VENV/bin/python"; exit 0
fi

say "$BASE is externally managed (PEP 668): creating a virtual environment in $VENV"
if ! "$BASE" -m venv "$VENV" >&2; then
  rm -rf "$VENV"
  # Debian and Ubuntu ship venv's pip bootstrap separately, as python3-venv
  # (python3.X-venv on some releases).
  package=$("$BASE" -c 'import sys; print("python3.%d-venv" % sys.version_info[1])')
  if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else sudo=none; fi
    if [ "$sudo" != none ]; then
      say "installing $package (or python3-venv) with apt-get"
      $sudo apt-get install -y -qq "$package" >&2 || $sudo apt-get install -y -qq python3-venv >&2 \
        || { $sudo apt-get update -qq >&2 && { $sudo apt-get install -y -qq "$package" >&2 \
             || $sudo apt-get install -y -qq python3-venv >&2; }; }
      "$BASE" -m venv "$VENV" >&2 || rm -rf "$VENV"
    fi
  fi
fi

if [ ! -x "$VENV/bin/python" ]; then
  say "could not create $VENV. Install python3-venv (sudo apt-get install python3-venv) or activate a virtual environment, then run make again."
  exit 1
fi
echo "$VENV/bin/python"
