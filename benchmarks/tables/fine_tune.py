"""README table: test accuracy of every fine-tuning strategy per quadrant (fine_tune.json)."""

from _format import load
from _format import source
from _format import table

COLUMNS = ("linear_top", "linear_early", "top_layers", "many_layers", "scratch")


def _cell(stats, best):
    text = f"{100 * stats['mean']:.1f} ± {100 * stats['std']:.1f}"
    return f"**{text}**" if best else text


def _verdict(row):
    advice = row.get("table_advice")
    if not advice:
        return "—"
    accuracy = row["test_accuracy"]
    rival = max((c for c in COLUMNS if c != advice), key=lambda c: accuracy[c]["mean"])
    gap = 100 * (accuracy[advice]["mean"] - accuracy[rival]["mean"])
    return (f"`{advice}` wins by {gap:.1f} pts" if gap > 0
            else f"`{advice}` trails `{rival}` by {-gap:.1f} pts")


def render(results_dir):
    result = load(results_dir, "fine_tune")
    rows = []
    for row in result["rows"]:
        accuracy = row["test_accuracy"]
        best = max(COLUMNS, key=lambda c: accuracy[c]["mean"])
        auto = row["auto"]
        rows.append([f"{row['row']} ({row['images_per_class']}/class)",
                     *[_cell(accuracy[c], c == best) for c in COLUMNS],
                     _verdict(row),
                     f"`{auto['strategy']}` ({100 * auto['test_accuracy']:.1f})"])
    config = result["provenance"]["config"]
    note = (f"Test accuracy in % (mean ± std over {config['seeds']} seeds; best per row in "
            f"bold); base: a small VGG trained on Fashion-MNIST classes 0-4 "
            f"({100 * result['base_test_accuracy_classes_0_4']:.1f} % on their test images). "
            f"`auto`: what `kr.transfer.fine_tune(strategy=\"auto\")` chose (seed 0) and its "
            f"test accuracy. {source(result)}")
    return table(["quadrant", *COLUMNS, "the table's advice", "auto"], rows) + "\n" + note + "\n"
