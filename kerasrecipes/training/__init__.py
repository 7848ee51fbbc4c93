"""Training: optimizers and schedules by name, callbacks, diagnostics and MC-dropout."""

from kerasrecipes.training import callbacks
from kerasrecipes.training import diagnostics
from kerasrecipes.training import evaluation
from kerasrecipes.training import optimizers
from kerasrecipes.training import precision
from kerasrecipes.training import schedules
from kerasrecipes.training import statistics
from kerasrecipes.training import tta
from kerasrecipes.training.diagnostics import diagnose
from kerasrecipes.training.lr_finder import find_lr
from kerasrecipes.training.sanity import SanityCheckError
from kerasrecipes.training.sanity import sanity_check
from kerasrecipes.training.swa import StochasticWeightAveraging
from kerasrecipes.training.tta import predict_tta
from kerasrecipes.training.tta import tta_model
from kerasrecipes.training.uncertainty import predict_mc_dropout
