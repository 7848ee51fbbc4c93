"""Figures written to PNG files with matplotlib's Agg backend (no display needed)."""

from kerasrecipes.plots.augmentation import augmentation_grid
