"""README table: augmentation pipeline rates per policy against the model's (pipeline.json)."""

from _format import load
from _format import source
from _format import table


def render(results_dir):
    result = load(results_dir, "pipeline")
    model = result["model_images_per_s"]
    default = result["default_policy"]
    rows = []
    for policy, rate in result["pipeline_images_per_s"].items():
        name = f"`{policy}`" + (" (default)" if policy == default else "")
        rows.append([name, f"{rate:,.0f}", f"{result['pipeline_over_model'][policy]:.1f}×",
                     f"{100 * result['model_fed_over_constant_input'][policy]:.0f} %"])
    text = table(["policy", "pipeline images/s", "over the model's consumption",
                  "model speed fed by it"], rows)
    goal = result["goal"]["default_policy_pipeline_over_model_at_least"]
    text += (f"\nWhole batches augmented in the tf.data pipeline, {result['train_images']:,} "
             f"training images, batch {result['batch_size']}; the model (`{result['recipe']}`) "
             f"consumes {model:,.0f} images/s on constant input; the last column is its speed "
             f"when fed by each policy's pipeline, sharing the cores. Goal, the default policy "
             f"≥ {goal:g}× the model: {'met' if result['goal_met'] else 'missed'}. ")
    if "provenance" in result:
        return text + source(result) + "\n"
    return text + f"Historical, not re-measured: {result['historical']['reason']}\n"
