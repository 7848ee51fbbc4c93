"""Augmentation: named policies and the layers Keras and keras-cv lack.

Keras' own layers (`RandomFlip`, `RandomTranslation`, `RandomRotation`, `RandomZoom`,
`RandomContrast`, `RandomBrightness`, `RandomColorJitter`, `RandomGaussianBlur`,
`RandomErasing`, `RandAugment`, ...) are used as they are; this package adds fancy PCA,
pixel noise, pixel drop and the composing `RandomTransform`.

Measured on Fashion-MNIST by `benchmarks/tips.py` (effect of A over B, verdict):

Measured (tips.json, augmentation: flip_crop vs none): -0.20 ± 0.00 pt, not confirmed (1 seed, a --quick smoke run).
Measured (tips.json, augmentation: fancy_pca vs flip_crop): +1.80 ± 0.00 pt, confirmed (1 seed, a --quick smoke run).
Measured (tips.json, augmentation: strong vs flip_crop): +7.80 ± 0.00 pt, confirmed (1 seed, a --quick smoke run).
"""

from kerasrecipes.layers.augmentation.fancy_pca import FancyPCA
from kerasrecipes.layers.augmentation.noise import RandomGaussianNoise
from kerasrecipes.layers.augmentation.noise import RandomPixelDrop
from kerasrecipes.layers.augmentation.noise import RandomSaltAndPepper
from kerasrecipes.layers.augmentation.policies import adapt_policy
from kerasrecipes.layers.augmentation.policies import augmentation_policy
from kerasrecipes.layers.augmentation.policies import names
from kerasrecipes.layers.augmentation.random_transform import RandomTransform
