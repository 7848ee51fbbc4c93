"""Layers and functional blocks: preprocessing, augmentation, conv blocks, Fire, LRN, views."""

from kerasrecipes.layers import augmentation
from kerasrecipes.layers import normalization
from kerasrecipes.layers import preprocessing
from kerasrecipes.layers.augmentation import augmentation_policy
from kerasrecipes.layers.batch_norm import FusedBatchNormalization
from kerasrecipes.layers.blocks import apply_conv_norm_act
from kerasrecipes.layers.blocks import apply_projection
from kerasrecipes.layers.blocks import apply_residual_block
from kerasrecipes.layers.blocks import apply_vgg_stage
from kerasrecipes.layers.fire import apply_fire_block
from kerasrecipes.layers.lrn import LocalResponseNormalization
from kerasrecipes.layers.mc_dropout import MCDropout
from kerasrecipes.layers.pooling import CeilMaxPooling2D
from kerasrecipes.layers.views import ImageView
from kerasrecipes.layers.weight_norm import WeightNormalization
