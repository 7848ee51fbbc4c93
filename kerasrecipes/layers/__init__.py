"""Layers and functional blocks: preprocessing, augmentation, conv blocks."""

from kerasrecipes.layers import augmentation
from kerasrecipes.layers import normalization
from kerasrecipes.layers import preprocessing
from kerasrecipes.layers.augmentation import augmentation_policy
from kerasrecipes.layers.blocks import apply_conv_norm_act
from kerasrecipes.layers.blocks import apply_vgg_stage
