"""Figures written to PNG files with matplotlib's Agg backend (no display needed):
augmentation grids, training curves and diagnostics."""

from kerasrecipes.plots import curves
from kerasrecipes.plots.augmentation import augmentation_grid
from kerasrecipes.plots.evaluation import plot_confusion_matrix
from kerasrecipes.plots.evaluation import plot_mistakes
