"""Training: optimizers and schedules by name, callbacks and diagnostics."""

from kerasrecipes.training import callbacks
from kerasrecipes.training import diagnostics
from kerasrecipes.training import distribute
from kerasrecipes.training import optimizers
from kerasrecipes.training import precision
from kerasrecipes.training import schedules
from kerasrecipes.training import statistics
from kerasrecipes.training.diagnostics import diagnose
from kerasrecipes.training.lr_finder import find_lr
from kerasrecipes.training.sanity import SanityCheckError
from kerasrecipes.training.sanity import sanity_check
