"""Training: optimizers and schedules by name, callbacks and diagnostics."""

from kerasrecipes.training import optimizers
from kerasrecipes.training import schedules
