"""The README's two set-up commands exist, and CI runs the test one."""

import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _read(name):
    with open(os.path.join(ROOT, name)) as handle:
        return handle.read()


def _setup_commands():
    readme = _read("README.md")
    section = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(?:bash|sh)\n(.+?)\n```", section, flags=re.S)


def test_readme_has_exactly_two_setup_commands():
    assert _setup_commands() == ["make train", "make test"]


def test_make_targets_do_what_the_readme_says():
    makefile = _read("Makefile")
    train = makefile.split("\ntrain:", 1)[1].split("\n\n", 1)[0]
    test = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "kerasrecipes train fashion_mnist_vgg --export" in train
    assert "pytest" in test and "install-test" in test
    assert '.[test]' in makefile


def test_ci_runs_the_readme_test_command():
    ci = _read(".ci/run")
    commands = [line.strip() for line in ci.splitlines() if line.strip() and not line.startswith("#")]
    assert "make test" in commands
