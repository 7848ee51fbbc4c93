"""Augmentation: named policies and the layers Keras and keras-cv lack.

Keras' own layers (`RandomFlip`, `RandomTranslation`, `RandomRotation`, `RandomZoom`,
`RandomContrast`, `RandomBrightness`, `RandomColorJitter`, `RandomGaussianBlur`,
`RandomErasing`, `RandAugment`, ...) are used as they are; this package adds fancy PCA,
pixel noise, pixel drop and the composing `RandomTransform`.
"""

from kerasrecipes.layers.augmentation.fancy_pca import FancyPCA
from kerasrecipes.layers.augmentation.noise import RandomGaussianNoise
from kerasrecipes.layers.augmentation.noise import RandomPixelDrop
from kerasrecipes.layers.augmentation.noise import RandomSaltAndPepper
from kerasrecipes.layers.augmentation.policies import adapt_policy
from kerasrecipes.layers.augmentation.policies import augmentation_policy
from kerasrecipes.layers.augmentation.policies import names
from kerasrecipes.layers.augmentation.random_transform import RandomTransform
