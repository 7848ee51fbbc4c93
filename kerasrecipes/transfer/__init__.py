"""Fine-tuning a trained network by the four-quadrant table (`kr.transfer`).

| | very similar data | very different data |
|---|---|---|
| very little data | `"linear_top"` | `"linear_early"` |
| quite a lot of data | `"top_layers"` | `"many_layers"` |

Example:

>>> import kerasrecipes as kr
>>> stats = kr.transfer.feature_statistics(base, x_base_train)
>>> result = kr.transfer.fine_tune(base, (x_new, y_new), base_statistics=stats)
>>> print(result.strategy, "because", result.reason)
>>> result.model.evaluate(x_test, y_test)
"""

from kerasrecipes.transfer.bases import blocks
from kerasrecipes.transfer.planner import FineTuneResult
from kerasrecipes.transfer.planner import fine_tune
from kerasrecipes.transfer.planner import load_base
from kerasrecipes.transfer.planner import runner_up
from kerasrecipes.transfer.planner import table_strategy
from kerasrecipes.transfer.statistics import distance
from kerasrecipes.transfer.statistics import feature_statistics
from kerasrecipes.transfer.statistics import load_feature_statistics
from kerasrecipes.transfer.statistics import save_feature_statistics
from kerasrecipes.transfer.statistics import statistics_path
from kerasrecipes.transfer.strategies import STRATEGIES
