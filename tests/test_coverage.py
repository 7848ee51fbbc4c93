"""The README's coverage table: every test it names exists, every built tip has one."""

import ast
import json
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
with open(os.path.join(ROOT, "docs", "coverage.json")) as _handle:
    COVERAGE = json.load(_handle)
NODES = sorted({node for tip in COVERAGE["tips"] for node in tip["tests"]})


def defined_tests(path):
    with open(path) as handle:
        tree = ast.parse(handle.read())
    return {node.name for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.name.startswith("test_")}


@pytest.mark.parametrize("node", NODES)
def test_every_named_test_node_exists(node):
    path, _, name = node.partition("::")
    assert path.startswith("tests/") and name, f"{node!r} is not a pytest node id"
    full = os.path.join(ROOT, path)
    assert os.path.exists(full), f"{node}: no file {path}"
    assert name in defined_tests(full), f"{node}: no test {name} in {path}"


def test_every_tip_is_complete_and_built_tips_name_a_test():
    statuses = {"built", "asked elsewhere", "advice", "out of scope"}
    for tip in COVERAGE["tips"]:
        assert tip["status"] in statuses, tip
        assert tip["seeds"] and set(map(str, tip["seeds"])) <= set(COVERAGE["seeds"]), tip
        assert tip["name"], tip
        if tip["status"] == "built":
            assert tip["tests"], f"built tip without a test: {tip['tip']}"
    voice = [t for t in COVERAGE["tips"] if "voice" in t["tip"].lower()]
    assert [t["status"] for t in voice] == ["out of scope"]
    # Every seed is cited by at least one tip.
    cited = {str(s) for tip in COVERAGE["tips"] for s in tip["seeds"]}
    assert cited == set(COVERAGE["seeds"])


def test_measured_fields_point_into_their_results():
    results = os.path.join(ROOT, "benchmarks", "results")
    for tip in COVERAGE["tips"]:
        spec = tip["measured"]
        if not spec:
            continue
        assert spec.get("fields") or spec.get("row"), (tip["tip"], "measured needs fields or a row")
        path = os.path.join(results, f"{spec['result']}.json")
        if not os.path.exists(path):
            continue  # rendered as "not yet measured"
        with open(path) as handle:
            value = json.load(handle)
        for dotted in spec.get("fields", {}).values():
            found = value
            for key in dotted.split("."):
                found = found[int(key)] if isinstance(found, list) else found[key]
            assert isinstance(found, (int, float)), (tip["tip"], dotted)


def test_a_figure_from_a_historical_result_says_so(tmp_path):
    from tests import benchmark_modules

    coverage = benchmark_modules.load("benchmarks/tables/coverage.py")
    spec = {"result": "run", "fields": {"default recipe parameters": "model.params"}}
    (tmp_path / "run.json").write_text(json.dumps({"model": {"params": 1718682}}))
    assert coverage._measured(spec, str(tmp_path)) == (
        "default recipe parameters 1,718,682 (`run.json`)")
    (tmp_path / "run.json").write_text(json.dumps({
        "model": {"params": 1739690}, "historical": {"reason": "old default", "commit": "a" * 40}}))
    assert coverage._measured(spec, str(tmp_path)) == (
        "default recipe parameters 1,739,690 (`run.json`, historical)")


def test_a_difference_in_points_reads_as_one(tmp_path):
    from tests import benchmark_modules

    coverage = benchmark_modules.load("benchmarks/tables/coverage.py")
    spec = {"result": "run", "fields": {"5 members vs best member, points": "gain.best",
                                        "vs one model, points": "gain.wide",
                                        "activation std": "std"}}
    (tmp_path / "run.json").write_text(json.dumps(
        {"gain": {"best": 0.9833, "wide": -0.38}, "std": 0.8357654832303962}))
    assert coverage._measured(spec, str(tmp_path)) == (
        "5 members vs best member, points +0.98; vs one model, points -0.38; "
        "activation std 0.8358 (`run.json`)")
