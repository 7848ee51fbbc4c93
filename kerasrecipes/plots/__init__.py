"""Plots (PNG via matplotlib's Agg backend) of training curves and diagnostics."""

from kerasrecipes.plots import curves
