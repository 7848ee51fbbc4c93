"""Every current result still describes the recipes as they are today.

A result written through `benchmarks/provenance.py` records, for each recipe it ran, the
recipe's name and the keys the benchmark overrode beside the full config. If a recipe's
defaults change later, the stored config no longer matches
`kr.recipes.get(name).defaults.replace(**overrides)`: the result must be re-run or marked
`"historical"` with a reason (`tests/test_render.py` checks that every result has one of
the two).
"""

import json
import os

import pytest

import kerasrecipes as kr
from tests import benchmark_modules

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "benchmarks", "results")
CURRENT = sorted(
    name for name in os.listdir(RESULTS)
    if name.endswith(".json") and "historical" not in json.load(open(os.path.join(RESULTS, name))))


def _provenance():
    return benchmark_modules.load("benchmarks/provenance.py")


@pytest.mark.parametrize("name", CURRENT)
def test_current_result_matches_its_recipes_defaults(name):
    with open(os.path.join(RESULTS, name)) as handle:
        result = json.load(handle)
    assert "provenance" in result, f"{name}: no provenance and not historical"
    messages = _provenance().drift(result, f"benchmarks/results/{name}")
    assert not messages, "\n\n".join(messages)


def _result(provenance, config):
    """A result as a benchmark writes it and the test reads it back (JSON round trip)."""
    block = provenance.provenance(config=config, precision="float32",
                                  command="python benchmarks/example.py --epochs 2")
    return json.loads(json.dumps({"provenance": block, "rows": []}))


def test_a_changed_default_fails_naming_file_recipe_key_values_and_the_fix(monkeypatch):
    provenance = _provenance()
    result = _result(provenance, {
        "member": provenance.recipe_config("fashion_mnist_vgg", {"epochs": 2, "width": 0.25}),
        "baseline": {"optimizer": "adam", "batch_size": 128, "epochs": 15},
    })
    assert result["provenance"]["recipes"] == {"config.member": {
        "recipe": "fashion_mnist_vgg", "overrides": {"epochs": 2, "width": 0.25}}}
    assert provenance.drift(result, "benchmarks/results/example.json") == []

    recipe = kr.recipes.get("fashion_mnist_vgg")
    monkeypatch.setattr(recipe, "defaults", recipe.defaults.replace(learning_rate=0.05))
    messages = provenance.drift(result, "benchmarks/results/example.json")
    assert len(messages) == 1
    message = messages[0]
    for part in ("benchmarks/results/example.json", "`config.member`", "`fashion_mnist_vgg`",
                 "learning_rate: stored 0.1, current 0.05",
                 "Re-run `python benchmarks/example.py --epochs 2`", "historical"):
        assert part in message, (part, message)
    # Overridden keys are not reported: only what the defaults changed.
    differing = [line.split(":")[0].strip() for line in message.splitlines()
                 if line.startswith("  ")]
    assert differing == ["learning_rate"], message


def test_a_recipe_config_without_its_overrides_record_fails():
    provenance = _provenance()
    result = _result(provenance, {"run": kr.recipes.config("fashion_mnist_vgg").to_dict()})
    assert result["provenance"]["recipes"] == {}
    [message] = provenance.drift(result, "benchmarks/results/example.json")
    assert "`config.run` is a recipe config with no record" in message


def test_placeholders_hide_local_paths_and_are_not_compared(tmp_path):
    provenance = _provenance()
    config = provenance.recipe_config("fashion_mnist_vgg", {"data": str(tmp_path), "cache": "memory"},
                                      placeholders={"data": "<temporary PNG folder>"})
    logs = provenance.recipe_config("fashion_mnist_vgg", {"log_dir": str(tmp_path)})
    result = _result(provenance, {"cached": config, "logged": logs})
    assert str(tmp_path) not in json.dumps(result)
    assert result["provenance"]["recipes"]["config.cached"]["overrides"] == {
        "data": "<temporary PNG folder>", "cache": "memory"}
    assert result["provenance"]["config"]["logged"]["log_dir"] == "<local path>"
    assert provenance.drift(result, "example.json") == []
    with pytest.raises(ValueError, match="placeholders"):
        provenance.recipe_config("fashion_mnist_vgg", placeholders={"epochs": "<x>"})


def test_recipe_config_refuses_a_config_its_overrides_do_not_explain():
    provenance = _provenance()
    ran = kr.recipes.config("fashion_mnist_vgg", epochs=3, width=0.5)
    assert provenance.recipe_config(ran, {"epochs": "3", "width": 0.5}).record["overrides"] == {
        "epochs": 3, "width": 0.5}
    with pytest.raises(ValueError, match="must name every key.*epochs"):
        provenance.recipe_config(ran, {"width": 0.5})


def test_a_key_added_since_the_run_passes_at_its_default_and_fails_when_a_recipe_sets_it(
        monkeypatch):
    provenance = _provenance()
    stored = provenance.recipe_config("fashion_mnist_fast", {"epochs": 2})
    del stored["tta"]  # as a result written before the key existed
    result = _result(provenance, {"member": stored})
    assert provenance.drift(result, "benchmarks/results/example.json") == []

    recipe = kr.recipes.get("fashion_mnist_fast")
    monkeypatch.setattr(recipe, "defaults", recipe.defaults.replace(tta="flip"))
    [message] = provenance.drift(result, "benchmarks/results/example.json")
    assert "tta: stored (absent), current 'flip'" in message, message
