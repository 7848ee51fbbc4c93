"""`benchmarks/stale.py`: which results a change to a recipe's defaults would stale."""

import json

import pytest

import kerasrecipes as kr
from tests import benchmark_modules


def _module(name):
    return benchmark_modules.load(f"benchmarks/{name}.py")


@pytest.fixture(scope="module")
def stale():
    return _module("stale")


def _write(results, name, provenance, overrides, command, **extra):
    block = provenance.provenance(config={"run": provenance.recipe_config(
        "fashion_mnist_vgg", overrides)}, precision="float32", command=command)
    (results / f"{name}.json").write_text(json.dumps({"provenance": block, **extra}))


def test_a_change_lists_the_results_that_ran_the_recipe_unoverridden(stale, tmp_path):
    provenance = _module("provenance")
    _write(tmp_path, "a_default", provenance, {"width": 0.25}, "python benchmarks/a.py",
           total_s=600.0)
    _write(tmp_path, "b_epochs_set", provenance, {"epochs": 14}, "python benchmarks/b.py")
    b = json.loads((tmp_path / "b_epochs_set.json").read_text())
    b["provenance"]["elapsed_s"] = None  # a result from before provenance recorded it
    (tmp_path / "b_epochs_set.json").write_text(json.dumps(b))
    _write(tmp_path, "c_old", provenance, {"epochs": 2}, "python benchmarks/c.py",
           historical={"reason": "measured before a change"})
    defaults = kr.recipes.get("fashion_mnist_vgg").defaults
    assert stale.stale_results(results_dir=str(tmp_path)) == []
    assert stale.report([]) == "No result is stale.\n"

    found = stale.stale_results(stale.parse_changes(
        ["fashion_mnist_vgg:epochs=14", "fashion_mnist_vgg:tta=flip"]), str(tmp_path))
    assert kr.recipes.get("fashion_mnist_vgg").defaults == defaults  # restored
    # b overrode epochs itself, so only its tta moved; c is historical, so left out.
    assert [entry["name"] for entry in found] == ["a_default.json", "b_epochs_set.json"]
    text = stale.report(found)
    assert "a_default.json (10 min; keys: epochs, tta)\n    python benchmarks/a.py" in text
    assert "b_epochs_set.json (time not recorded; keys: tta)" in text
    assert text.endswith("2 stale result(s); recorded run time 0.2 h, 1 without a recorded time\n")


@pytest.mark.parametrize("item, match", [
    ("epochs=14", r"`--set` must be RECIPE:KEY=VALUE.*Received: 'epochs=14'"),
    ("fashion_mnist_vgg:epochs", r"`--set` must be RECIPE:KEY=VALUE"),
    ("fashion_mnist_vg:epochs=14", r"`recipe` must be one of .*fashion_mnist_vgg"),
    ("fashion_mnist_vgg:epoch=14", r"`key` must be one of .*Did you mean 'epochs'"),
])
def test_a_bad_change_names_what_is_wrong(stale, item, match):
    with pytest.raises(ValueError, match=match):
        stale.parse_changes([item])
