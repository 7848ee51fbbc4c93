"""The README's measured tables are exactly what `benchmarks/render.py` makes of the results."""

import json
import os
import subprocess
import sys

import pytest

from tests import benchmark_modules

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _module(name):
    return benchmark_modules.load(f"benchmarks/{name}.py")


def test_readme_tables_match_the_results():
    render = _module("render")
    with open(os.path.join(ROOT, "README.md")) as handle:
        text = handle.read()
    assert render.render_text(text) == text, (
        "README.md tables differ from benchmarks/results: run `python benchmarks/render.py`")


def test_docstring_verdicts_match_the_tips_result():
    render = _module("render")
    stale = render.render_docstrings()
    assert not stale, (f"`Measured (tips.json, ...)` lines in {sorted(stale)} differ from "
                       "benchmarks/results/tips.json: run `python benchmarks/render.py`")


def test_standalone_tips_table_matches_the_results():
    render = _module("render")
    stale = render.render_standalone()
    assert not stale, (f"{sorted(stale)} differ from benchmarks/results: "
                       "run `python benchmarks/render.py`")


def test_a_stale_standalone_table_is_rewritten_and_a_missing_result_skipped(tmp_path):
    render = _module("render")
    assert render.render_standalone(str(tmp_path)) == {}  # no tips.json: nothing to render
    for name in ("tips", "ensembles"):
        with open(os.path.join(ROOT, "benchmarks", "results", f"{name}.json")) as handle:
            (tmp_path / f"{name}.json").write_text(handle.read())
    (tmp_path / "tips.md").write_text("old\n")
    stale = render.render_standalone(str(tmp_path))
    assert list(stale) == [str(tmp_path / "tips.md")]
    assert "ensembles (ensembles.json)" in stale[str(tmp_path / "tips.md")]


def test_ensemble_line_judges_the_direction_and_the_seeds_size_apart(tmp_path):
    tips = _module("render").table_module("tips")

    def verdicts(gain, std):
        (tmp_path / "ensembles.json").write_text(json.dumps({"members": 5, "summary": {
            "best_member": {"mean": 0.88, "std": 0.002},
            "ensemble": {"mean": {"mean": 0.88 + gain / 100, "std": 0.002}},
            "gain_over_best_member_points": {"mean": {"mean": gain, "std": std}}}}))
        return tips._ensemble_line(str(tmp_path))[3].split("<br>")

    assert verdicts(0.7, 0.1) == ["confirmed", "not confirmed"]  # real, but not ~3 points
    assert verdicts(2.8, 0.3) == ["confirmed", "confirmed"]
    assert verdicts(-0.5, 0.2) == ["not confirmed", "not confirmed"]


def test_a_docstring_verdict_line_is_rewritten_from_the_result(tmp_path):
    render = _module("render")
    package = tmp_path / "pkg"
    package.mkdir()
    results = tmp_path / "results"
    results.mkdir()
    (results / "tips.json").write_text(json.dumps({"quick": False, "rows": {"shuffle": {
        "seeds": [0, 1, 2], "claims": [{"a": "reshuffled", "b": "fixed_order",
                                        "effect": "+0.50 ± 0.20 pt", "verdict": "confirmed"}]}}}))
    module = package / "part.py"
    module.write_text('"""A part.\n\n    Measured (tips.json, shuffle: reshuffled vs fixed_order): old.\n'
                      '    Measured (tips.json, shuffle: a vs b): old.\n"""\n')
    stale = render.render_docstrings(str(results), str(package))
    assert stale[str(module)].splitlines()[2:4] == [
        "    Measured (tips.json, shuffle: reshuffled vs fixed_order): +0.50 ± 0.20 pt, "
        "confirmed (3 seeds).",
        "    Measured (tips.json, shuffle: a vs b): not measured yet."]


def test_render_fills_a_block_and_rejects_an_unknown_renderer(tmp_path):
    render = _module("render")
    text = "a\n<!-- table:nonexistent_xyz -->\nold\n<!-- /table:nonexistent_xyz -->\nb\n"
    with pytest.raises(ValueError, match="nonexistent_xyz"):
        render.render_text(text)


def test_every_result_records_its_provenance():
    results = os.path.join(ROOT, "benchmarks", "results")
    for name in sorted(os.listdir(results)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(results, name)) as handle:
            result = json.load(handle)
        prov = result.get("provenance") or result.get("historical")
        assert prov, f"{name} has neither a provenance block nor a `historical` reason"
        if "historical" in result:
            assert set(result["historical"]) >= {"reason", "commit"}, (
                f"{name}: `historical` must give a `reason` and the `commit` it was measured at")
            assert len(result["historical"]["commit"]) == 40, name
        if "provenance" in result:
            for key in ("commit", "date", "cpu", "versions", "precision", "config"):
                assert key in result["provenance"], f"{name}: provenance lacks {key!r}"
            assert "/work/" not in json.dumps(result) and "/root/" not in json.dumps(result), name


def test_provenance_names_cpu_flags_and_versions():
    prov = _module("provenance").provenance(config={"a": 1}, precision="float32")
    assert prov["cpu"]["cores"] >= 1 and isinstance(prov["cpu"]["flags"], list)
    assert prov["versions"]["python"].count(".") == 2
    assert prov["precision"] == "float32" and prov["config"] == {"a": 1}
    assert len(prov["commit"] or "x" * 40) == 40
    assert prov["elapsed_s"] is None or prov["elapsed_s"] >= 0


def test_provenance_dirty_means_code_changed_not_a_result_being_written(tmp_path):
    provenance = _module("provenance")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(tmp_path)]
    (tmp_path / "benchmarks" / "results").mkdir(parents=True)
    (tmp_path / "benchmarks" / "results" / "tips.json").write_text("{}")
    (tmp_path / "benchmarks" / "tips.py").write_text("A = 1\n")
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    assert provenance.dirty(str(tmp_path)) is False
    (tmp_path / "benchmarks" / "results" / "tips.json").write_text('{"rows": {}}')
    assert provenance.dirty(str(tmp_path)) is False  # a run writing its own result
    (tmp_path / "benchmarks" / "tips.py").write_text("A = 2\n")
    assert provenance.dirty(str(tmp_path)) is True
    assert provenance.dirty(str(tmp_path / "not_a_repo_below")) is None


def test_provenance_elapsed_seconds_come_from_the_process_start(tmp_path):
    provenance = _module("provenance")
    ticks = os.sysconf("SC_CLK_TCK")
    # /proc/self/stat: pid (comm, which may hold spaces and brackets) then fields 3..;
    # field 22 is the start time in clock ticks after boot.
    fields = ["S"] + ["0"] * 18 + [str(100 * ticks)] + ["0"] * 10
    (tmp_path / "stat").write_text("42 (python (x) y) " + " ".join(fields) + "\n")
    (tmp_path / "uptime").write_text("250.5 999.0\n")
    assert provenance.process_seconds(str(tmp_path / "stat"), str(tmp_path / "uptime")) == 150.5
    assert provenance.process_seconds(str(tmp_path / "none"), str(tmp_path / "uptime")) is None


def test_provenance_steal_share_is_the_hypervisors_part_of_the_machines_cpu_time(tmp_path):
    provenance = _module("provenance")
    # /proc/stat's first line: user nice system idle iowait irq softirq steal guest guest_nice
    (tmp_path / "stat").write_text("cpu  100 0 50 800 0 0 0 50 0 0\ncpu0 1 2 3\n")
    start = provenance.cpu_times(str(tmp_path / "stat"))
    assert start == (50, 1000)
    (tmp_path / "stat").write_text("cpu  400 0 150 1100 0 0 0 350 0 0\n")
    now = provenance.cpu_times(str(tmp_path / "stat"))
    assert provenance.steal_share(start, now) == 0.3  # 300 of the 1,000 ticks went elsewhere
    assert provenance.steal_share(start, start) is None
    assert provenance.cpu_times(str(tmp_path / "none")) is None
    share = provenance.provenance()["cpu_steal_share"]
    assert share is None or 0 <= share <= 1


def test_provenance_records_the_environment_that_picks_kernels(monkeypatch):
    provenance = _module("provenance")
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "1")
    monkeypatch.delenv("TF_NUM_INTRAOP_THREADS", raising=False)
    prov = provenance.provenance(config={}, precision="float32")
    assert prov["environment"]["TF_ENABLE_ONEDNN_OPTS"] == "1"
    assert "TF_NUM_INTRAOP_THREADS" not in prov["environment"]
    sys.path.insert(0, os.path.join(ROOT, "benchmarks", "tables"))
    from _format import source

    # The steal share is the host's (25 % on some days): pinned so the sentence ends here.
    quiet = dict(prov, cpu_steal_share=0.0)
    assert "with `TF_ENABLE_ONEDNN_OPTS=1`." in source({"provenance": quiet})
    assert "steal" not in source({"provenance": dict(prov, cpu_steal_share=0.02)})
    assert source({"provenance": dict(prov, cpu_steal_share=0.27)}).endswith(
        "with `TF_ENABLE_ONEDNN_OPTS=1`, 27 % of the CPU time taken by the hypervisor (steal).")


def _compare_table_in(tmp_path):
    """The compare renderer and the stored compare.json, copied alone into `tmp_path`."""
    compare = _module("render").table_module("compare")
    with open(os.path.join(ROOT, "benchmarks", "results", "compare.json")) as handle:
        table = json.load(handle)
    table.pop("historical", None)  # current here: the table's run
    (tmp_path / "compare.json").write_text(json.dumps(table))
    return compare, table


def test_compare_table_adds_the_other_kernels_run_only_when_it_exists(tmp_path):
    compare, table = _compare_table_in(tmp_path)
    assert "TensorFlow's own kernels" not in compare.render(str(tmp_path))
    other = json.loads(json.dumps(table))
    other["provenance"]["environment"] = {}  # unset: TensorFlow's choice
    for name, model in other["models"].items():  # half the speed of the table's run
        for key in ("wall_s", "median_epoch_s"):
            model[key] = 2 * compare._mean(table["models"][name], key)
    (tmp_path / "compare_onednn_off.json").write_text(json.dumps(other))
    text = compare.render(str(tmp_path))
    assert text.count("(the table's run: 2.00× its speed, 2.00× by median epochs)") == len(
        table["models"])
    assert "(`TF_ENABLE_ONEDNN_OPTS` unset, which TensorFlow takes as oneDNN's kernels off" in text
    other["provenance"]["cpu"] = {"model": "Some Xeon", "cores": 2, "flags": ["avx512f"]}
    (tmp_path / "compare_onednn_off.json").write_text(json.dumps(other))
    assert "the table's run:" not in compare.render(str(tmp_path))  # not across two CPUs


def test_compare_table_adds_a_paragraph_for_each_other_cpu_run(tmp_path):
    compare, table = _compare_table_in(tmp_path)
    assert "on another CPU" not in compare.render(str(tmp_path))
    other = json.loads(json.dumps(table))
    other["provenance"]["cpu"] = {"model": "Some Xeon", "cores": 2,
                                  "flags": ["avx2", "avx512f", "fma"]}
    vgg = other["models"]["fashion_mnist_vgg"]
    vgg.update(wall_ratio=2.5, median_wall_ratio=2.4, test_accuracy_mean=0.9361)
    vgg["goal"].update(time_met=True, met=True)
    (tmp_path / f"{compare.CPU_RUNS[1]}.json").write_text(json.dumps(other))
    text = compare.render(str(tmp_path))
    paragraph = text[text.index("on another CPU"):].split("\n")[0]
    assert "Some Xeon (without AMX)" in paragraph
    assert "`fashion_mnist_vgg` (default) " in paragraph
    assert ("2.50× (2.40× by median epochs) keras.io, 93.61 %, goal ≥ 93.5 % in ≤ 3.0×: "
            "met") in paragraph
    assert "Measured on Some Xeon (2 cores; avx2, avx512f, fma)" in paragraph
    assert "the table's run" not in paragraph  # no speed-up across two machines
    assert text.rstrip().splitlines()[-1].startswith("The table: `benchmarks/results/compare.json`.")

    # Once the table's run is marked historical, the current run becomes the table.
    table["historical"] = {"reason": "the default changed", "commit": "a" * 40}
    (tmp_path / "compare.json").write_text(json.dumps(table))
    text = compare.render(str(tmp_path))
    assert text.rstrip().splitlines()[-1].startswith(
        f"The table: `benchmarks/results/{compare.CPU_RUNS[1]}.json`. Measured on Some Xeon")
    paragraph = text[text.index("on another CPU"):].split("\n")[0]
    assert paragraph.startswith(f"on another CPU, {table['provenance']['cpu']['model']}")
    assert "Historical, not re-measured since" in paragraph


def test_other_cpu_paragraph_says_what_auto_precision_resolved_to(tmp_path):
    compare, table = _compare_table_in(tmp_path)
    other = json.loads(json.dumps(table))
    other["forced_precision"] = None  # each recipe's own precision="auto"
    other["provenance"]["cpu"] = {"model": "Some Xeon", "cores": 2,
                                  "flags": ["avx512f", "amx_bf16", "amx_tile"]}
    for name, model in other["models"].items():
        model["precision"] = "float32" if name == "keras_io_convnet" else "mixed_bfloat16"
    (tmp_path / f"{compare.CPU_RUNS[2]}.json").write_text(json.dumps(other))
    paragraph = compare.render(str(tmp_path)).split("on another CPU, Some Xeon")[1].split("\n")[0]
    assert paragraph.startswith(" (with AMX)")
    assert ("The recipes ran at their own `precision=\"auto\"`, which resolved to "
            "`mixed_bfloat16` on this CPU (keras.io's model in `float32`, as written).") in paragraph
    assert "Precision forced" not in paragraph
    assert "Recipe overhead" not in paragraph

    # Its own overhead run (NAME_overhead.json) joins it, but only from the same CPU.
    overhead = {"provenance": other["provenance"], "quick": False, "forced_precision": None,
                "overhead": {"images_per_s_ratio_recipe_over_hand_written": 0.991,
                             "median_epoch_s": {"recipe": 6.5, "hand_written": 6.44},
                             "train_images": 10000, "repeats": 6, "goal_at_least": 0.98,
                             "met": True}}
    name = f"{compare.CPU_RUNS[2]}_overhead"
    (tmp_path / f"{name}.json").write_text(json.dumps(overhead))
    text = compare.render(str(tmp_path))
    paragraph = text.split("on another CPU, Some Xeon")[1].split("\n")[0]
    assert ("Recipe overhead: `recipe.fit()` runs at 0.991× the images/s of a hand-written "
            "`model.fit()`") in paragraph and f"`benchmarks/results/{name}.json`" in paragraph
    assert "0.991×" not in text.replace(paragraph, "")  # not the table's
    overhead["provenance"] = table["provenance"]  # measured on another CPU
    (tmp_path / f"{name}.json").write_text(json.dumps(overhead))
    assert "0.991×" not in compare.render(str(tmp_path))

    # Its own best-recipe run (NAME_best.json) joins its clauses the same way.
    with open(os.path.join(ROOT, "benchmarks", "results", "compare_best.json")) as handle:
        best = json.load(handle)
    best["provenance"] = other["provenance"]
    best["models"]["fashion_mnist_best"].update(wall_ratio=4.25, test_accuracy_mean=0.9437)
    name = f"{compare.CPU_RUNS[2]}_best"
    (tmp_path / f"{name}.json").write_text(json.dumps(best))
    paragraph = compare.render(str(tmp_path)).split("on another CPU, Some Xeon")[1].split("\n")[0]
    assert "; `fashion_mnist_best` " in paragraph and ", 4.25× (" in paragraph
    assert "94.37 %, goal ≥ 95.0 % in ≤ 10.0×: missed" in paragraph
    assert f"`fashion_mnist_best` from its own run, `benchmarks/results/{name}.json`" in paragraph
def test_compare_table_says_what_a_tta_row_scores_and_its_one_pass_accuracy(tmp_path):
    compare, table = _compare_table_in(tmp_path)
    table["models"]["fashion_mnist_vgg"].update(tta="flip_shift",
                                                test_accuracy_without_tta_mean=0.9336)
    (tmp_path / "compare.json").write_text(json.dumps(table))
    text = compare.render(str(tmp_path))
    assert ("`fashion_mnist_vgg` (default)'s test accuracy averages the probabilities over the "
            "`flip_shift` test-time views of each image") in text
    assert "with one forward pass: 93.36 %." in text


def test_compare_table_shows_each_pair_and_counts_runs_not_seeds():
    compare = _module("render").table_module("compare")
    result = {"models": {
        "keras_io_convnet": {"pairs": 2, "runs": [{"wall_s": 100.0}, {"wall_s": 200.0}]},
        "fashion_mnist_vgg": {"pairs": 2, "wall_ratios": [3.0, 2.5]}}}
    text = compare._pairs_text(result)
    assert "ran 2 times, interleaved" in text and "keras.io took 100.0 s, 200.0 s" in text
    assert "`fashion_mnist_vgg` (default) 3.00×, 2.50×." in text
    assert compare._pairs_text({"models": {"keras_io_convnet": {}}}) == ""
    row = {"params": 10, "epochs": 13, "precision": "float32", "jit_compile": False,
           "wall_ratio": 2.75, "median_wall_ratio": 2.9, "train_gflops_per_s": 1.0,
           "fraction_of_peak": 0.5, "pairs": 2, "test_accuracy_mean": 0.935,
           "test_accuracy_std": 0.001, "wall_s_mean": 400.0, "images_per_s_mean": 900.0}
    cells = compare._row("fashion_mnist_vgg", row)
    assert cells[-2] == "93.50 % ± 0.10 (2 runs)" and cells[4] == "400.0"


def test_compare_table_gives_the_cpu_second_ratios_where_recorded():
    compare = _module("render").table_module("compare")
    result = {"models": {"keras_io_convnet": {"cpu_s": 500.0},
                         "fashion_mnist_vgg": {"cpu_ratio": 2.71},
                         "fashion_mnist_fast": {"cpu_ratio": 0.8}}}
    text = compare._cpu_text(result)
    assert "the goals are on wall time" in text
    assert text.endswith("`fashion_mnist_vgg` (default) 2.71×, `fashion_mnist_fast` 0.80× "
                         "keras.io's.")
    assert compare._cpu_text({"models": {"fashion_mnist_vgg": {"wall_ratio": 2.9}}}) == ""

def _candidate(seeds, accuracy, ratio, overrides, cpu="Some Xeon"):
    """A `compare.py --set ... --seed-per-pair` result with one run per seed."""
    runs = [{"test_accuracy": accuracy + (seed % 3 - 1) / 1000, "wall_ratio": ratio,
             "median_wall_ratio": ratio - 0.1, "config": {"seed": seed},
             "test_accuracy_without_tta": accuracy - 0.002, "evaluate_s": 30.0 + seed}
            for seed in seeds]
    goal = {"accuracy_at_least": 0.935, "wall_ratio_at_most": 3.0, "accuracy_target": 0.935,
            "met": False, "accuracy_met": False, "time_met": False}
    recipes = {f"config.fashion_mnist_vgg.{i}": {
        "recipe": "fashion_mnist_vgg", "overrides": {**overrides, "precision": "float32",
                                                     "seed": seed}}
        for i, seed in enumerate(seeds)}
    return {"provenance": {"cpu": {"model": cpu, "flags": ["avx2", "avx512f"], "cores": 2},
                           "recipes": recipes},
            "models": {"keras_io_convnet": {"test_accuracy": 0.901, "wall_ratio": 1.0},
                       "fashion_mnist_vgg": {"precision": "float32", "goal": goal,
                                             "runs": runs}}}


def test_candidates_pool_the_seeds_of_one_change_and_judge_the_goal_on_the_means(tmp_path):
    candidates = _module("render").table_module("candidates")
    assert "No candidate" in candidates.render(str(tmp_path))
    lean = {"model": "fashion_vgg_lean", "tta": "flip"}
    files = {"candidate_a": _candidate([0, 1, 2], 0.9362, 2.8, lean),
             "candidate_a_s3": _candidate([3, 4, 5], 0.9342, 2.9, lean),
             "candidate_b": _candidate([0], 0.9400, 3.2, {"epochs": 14}),
             "candidate_c": _candidate([0, 1, 2], 0.9360, 2.8, lean, cpu="Some EPYC")}
    for name, result in files.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(result))
    rows = [line.split(" | ") for line in candidates.render(str(tmp_path)).splitlines()[2:]]
    assert len(rows) == 3  # a and a_s3 pooled; the same change on another CPU apart
    pooled = rows[0]
    assert pooled[1:3] == ["model=fashion_vgg_lean, tta=flip", "Some Xeon (AVX-512), float32"]
    assert pooled[3] == "0, 1, 2, 3, 4, 5"
    assert pooled[4] == "93.52 % ± 0.14" and pooled[5] == "93.32 %"
    assert pooled[6] == "32.5"  # the test evaluation's seconds, TTA views included
    assert pooled[7] == "2.85× (2.75×)" and pooled[8] == "2.80×, 2.80×, 2.80×, 2.90×, 2.90×, 2.90×"
    assert pooled[9] == "≥ 93.5 % in ≤ 3.0×: met (+0.02 pt, 0.15× to spare)"
    assert pooled[10] == "`candidate_a`, `candidate_a_s3` |"
    assert rows[1][1] == "epochs=14" and rows[1][9] == "≥ 93.5 % in ≤ 3.0×: missed (0.20× over)"
    assert rows[2][2].startswith("Some EPYC") and rows[2][9].endswith("(+0.10 pt, 0.20× to spare)")
