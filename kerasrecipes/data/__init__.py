"""Data: `source()` (names, folders, arrays, datasets), loaders (IDX, TFDS, Debian and Keras
caches) and tf.data pipelines."""

from kerasrecipes.data.datasets import class_names
from kerasrecipes.data.datasets import load
from kerasrecipes.data.datasets import names
from kerasrecipes.data.idx import read_idx
from kerasrecipes.data.pipeline import pipeline
from kerasrecipes.data.sources import from_directory
from kerasrecipes.data.sources import load_idx
from kerasrecipes.data.sources import load_tfds
from kerasrecipes.data.validation import validate_arrays
from kerasrecipes.data.sources import Source
from kerasrecipes.data.sources import source
from kerasrecipes.data.splits import stratified_split
