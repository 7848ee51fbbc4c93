#!/usr/bin/env bash
# Installs the floors of setup.cfg (keras, tensorflow, keras-cv, numpy, matplotlib) in a
# throwaway venv and runs a fast subset of the tests against them, so the floors stay
# the truth. Usage: scripts/check_min_versions.sh [pytest args...]
# Needs network access to PyPI (or a local mirror configured for pip) and ~2 GB of disk.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
venv=$(mktemp -d /tmp/kr-min-versions.XXXXXX)
trap 'rm -rf "$venv"' EXIT

# The floors, read from setup.cfg: "name>=version" -> "name==version.*" (the floor's
# newest patch: "tensorflow>=2.16" has no 2.16.0 release, only 2.16.1 and 2.16.2).
floors=$(python3 - <<'PY'
import configparser
cfg = configparser.ConfigParser()
cfg.read("setup.cfg")
for line in cfg["options"]["install_requires"].split("\n"):
    line = line.strip()
    if ">=" in line:
        name, version = line.split(">=")
        print(f"{name.strip()}=={version.strip()}.*")
PY
)
echo "floors: $floors"
python3 -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip
# shellcheck disable=SC2086
"$venv/bin/pip" install -q $floors pytest "tensorflow-datasets>=4.9"
"$venv/bin/python" -c "import keras, tensorflow as tf; print('keras', keras.__version__, 'tensorflow', tf.__version__)"

# A fast subset: parts, layers, models, seeding and pipeline, safe loading, the fence.
cd "$root"
PYTHONPATH="$root" TF_CPP_MIN_LOG_LEVEL=3 "$venv/bin/python" -m pytest -q -m "not slow" \
    tests/test_keras_compat.py tests/test_saving.py tests/test_serialization.py \
    tests/layers tests/data/test_seeding.py tests/data/test_pipeline.py \
    tests/test_initializers.py tests/test_activations.py "$@"
