"""`make` on a PEP 668 machine: the Makefile's interpreter choice (scripts/python_for_make.sh).

An "externally managed" system Python is stood in for by this machine's Python run with
a `sitecustomize` that moves its stdlib path to a folder holding an EXTERNALLY-MANAGED
file, so the real detection code runs; the missing-python3-venv case uses a shell
stand-in for Debian's python3 and a fake apt-get. Nothing heavy is installed.
"""

import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "scripts", "python_for_make.sh")
ACTIVE_ENV_VARS = ("VIRTUAL_ENV", "CONDA_PREFIX", "COLAB_RELEASE_TAG")


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ACTIVE_ENV_VARS}
    env.update(extra)
    return env


def _write_executable(path, text):
    path.write_text(text)
    path.chmod(0o755)
    return str(path)


@pytest.fixture
def managed_python(tmp_path):
    """This machine's Python, made to see an EXTERNALLY-MANAGED marker in its stdlib."""
    stdlib = tmp_path / "stdlib"
    stdlib.mkdir()
    (stdlib / "EXTERNALLY-MANAGED").write_text("[externally-managed]\nError=use a venv\n")
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        "import sysconfig\n"
        "_get_path = sysconfig.get_path\n"
        "def get_path(name, *args, **kwargs):\n"
        f"    return {str(stdlib)!r} if name == 'stdlib' else _get_path(name, *args, **kwargs)\n"
        "sysconfig.get_path = get_path\n"
    )
    return _write_executable(
        tmp_path / "python3",
        f'#!/bin/sh\nPYTHONPATH="{site}" exec "{sys.executable}" "$@"\n',
    )


def _choose(base, cwd, **env):
    return subprocess.run(["sh", SCRIPT, base], cwd=cwd, env=_env(**env),
                          capture_output=True, text=True, timeout=120)


def _make_n(target, base, venv):
    # The venv folder goes through the environment, as $(shell) sees it.
    result = subprocess.run(["make", "-s", "-n", "-C", ROOT, target, f"BASE_PYTHON={base}"],
                            env=_env(KERASRECIPES_VENV=str(venv)),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_creates_and_uses_a_venv_when_the_python_is_externally_managed(
        managed_python, tmp_path):
    venv = tmp_path / "project-venv"
    commands = _make_n("test", managed_python, venv)
    assert f'{venv}/bin/python -m pip install -q -e ".[test]"' in commands
    assert f"{venv}/bin/python -m pytest -q" in commands
    train = _make_n("train", managed_python, venv)
    assert f"{venv}/bin/python -m kerasrecipes train fashion_mnist_vgg --export" in train
    # A real venv, with pip, that the managed Python itself did not have to allow.
    inside = subprocess.run([str(venv / "bin" / "python"), "-c",
                             "import sys, pip; print(sys.prefix != sys.base_prefix)"],
                            capture_output=True, text=True, timeout=60)
    assert inside.stdout.strip() == "True", inside.stderr


def test_make_keeps_a_python_that_is_not_externally_managed(tmp_path):
    # This machine's pyenv Python has no EXTERNALLY-MANAGED marker: CI stays as it was.
    venv = tmp_path / "unused-venv"
    commands = _make_n("test", sys.executable, venv)
    assert f"{sys.executable} -m pytest -q -n 2 --dist loadgroup" in commands  # xdist_group marks
    assert not venv.exists()


@pytest.mark.parametrize("active", [
    {"VIRTUAL_ENV": "/somewhere/venv"}, {"CONDA_PREFIX": "/opt/conda"},
    {"COLAB_RELEASE_TAG": "release-colab_20260101"},
], ids=["venv", "conda", "colab"])
def test_an_active_environment_is_used_as_it_is(managed_python, tmp_path, active):
    result = _choose(managed_python, tmp_path, **active)
    assert result.returncode == 0 and result.stdout.strip() == managed_python
    assert not (tmp_path / ".venv").exists()


def _debian_without_venv(tmp_path, apt_works):
    """A python3 whose venv module fails until apt-get installed python3.11-venv."""
    state = tmp_path / "state"
    state.mkdir()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    python = _write_executable(bin_dir / "python3", f"""#!/bin/sh
case "$1" in
  -c) case "$2" in *EXTERNALLY-MANAGED*) echo managed ;; *version_info*) echo python3.11-venv ;; esac ;;
  -m) mkdir -p "$3"
      if [ -f "{state}/installed" ]; then
        mkdir -p "$3/bin" && printf '#!/bin/sh\\n' > "$3/bin/python" && chmod +x "$3/bin/python"
      else
        echo "ensurepip is not available: apt install python3.11-venv" >&2; exit 1
      fi ;;
esac
""")
    marker = f'touch "{state}/installed"' if apt_works else "exit 100"
    _write_executable(bin_dir / "apt-get", f"""#!/bin/sh
echo "$@" >> "{state}/apt.log"
case "$*" in *install*) {marker} ;; esac
""")
    _write_executable(bin_dir / "id", "#!/bin/sh\necho 0\n")  # as root: no sudo needed
    path = f"{bin_dir}:{os.environ['PATH']}"
    return python, state, path


def test_missing_python3_venv_is_installed_with_apt(tmp_path):
    python, state, path = _debian_without_venv(tmp_path, apt_works=True)
    result = _choose(python, tmp_path, PATH=path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ".venv/bin/python"
    assert "install -y -qq python3.11-venv" in (state / "apt.log").read_text()
    assert (tmp_path / ".venv" / "bin" / "python").exists()


def test_without_apt_it_stops_with_what_to_install_and_leaves_no_venv(tmp_path):
    python, state, path = _debian_without_venv(tmp_path, apt_works=False)
    result = _choose(python, tmp_path, PATH=path)
    assert result.returncode == 1 and result.stdout == ""
    assert "Install python3-venv (sudo apt-get install python3-venv)" in result.stderr
    assert not (tmp_path / ".venv").exists()


def test_readme_says_where_the_command_lives():
    with open(os.path.join(ROOT, "README.md")) as handle:
        assert ".venv/bin/kerasrecipes" in handle.read()


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_stops_with_a_message_when_no_python_can_be_chosen(tmp_path):
    python, _, path = _debian_without_venv(tmp_path, apt_works=False)
    result = subprocess.run(["make", "-s", "-n", "-C", ROOT, "test", f"BASE_PYTHON={python}"],
                            env=_env(PATH=path, KERASRECIPES_VENV=str(tmp_path / ".venv")),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "no Python to install into" in result.stderr
