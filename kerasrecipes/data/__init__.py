"""Data: loaders (IDX files, Debian and Keras caches) and tf.data pipelines."""

from kerasrecipes.data.datasets import class_names
from kerasrecipes.data.datasets import load
from kerasrecipes.data.datasets import names
from kerasrecipes.data.idx import read_idx
from kerasrecipes.data.pipeline import pipeline
