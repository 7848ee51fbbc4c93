"""Augmentation: named policies and the layers Keras and keras-cv lack.

Keras' own layers (`RandomFlip`, `RandomTranslation`, `RandomRotation`, `RandomZoom`,
`RandomContrast`, `RandomBrightness`, `RandomColorJitter`, `RandomGaussianBlur`,
`RandomErasing`, `RandAugment`, ...) are used as they are; this package adds fancy PCA,
pixel noise, pixel drop and the composing `RandomTransform`.

Measured on Fashion-MNIST by `benchmarks/tips.py` (effect of A over B, verdict):

Measured (tips.json, augmentation: flip_crop vs none): -1.93 ± 0.72 pt, not confirmed (3 seeds).
Measured (tips.json, augmentation: fancy_pca vs flip_crop): -0.17 ± 0.63 pt, within noise / depends (3 seeds).
Measured (tips.json, augmentation: strong vs flip_crop): -7.21 ± 1.54 pt, not confirmed (3 seeds).
"""

from kerasrecipes.layers.augmentation.fancy_pca import FancyPCA
from kerasrecipes.layers.augmentation.noise import RandomGaussianNoise
from kerasrecipes.layers.augmentation.noise import RandomPixelDrop
from kerasrecipes.layers.augmentation.noise import RandomSaltAndPepper
from kerasrecipes.layers.augmentation.policies import adapt_policy
from kerasrecipes.layers.augmentation.policies import augmentation_policy
from kerasrecipes.layers.augmentation.policies import names
from kerasrecipes.layers.augmentation.random_transform import RandomTransform
