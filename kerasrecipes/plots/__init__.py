"""Figures written to PNG files with matplotlib's Agg backend (no display needed):
augmentation grids, training curves and diagnostics."""

from kerasrecipes.plots import curves
from kerasrecipes.plots.augmentation import augmentation_grid
