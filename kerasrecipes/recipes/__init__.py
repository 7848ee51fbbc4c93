"""Recipes: named functions that turn plain keyword arguments into a ready-to-fit `Recipe`.

Example:

>>> import kerasrecipes as kr
>>> kr.recipes.names()
['fashion_mnist_best', 'fashion_mnist_fast', 'fashion_mnist_squeezenet', 'fashion_mnist_vgg',
 'image_classifier']
>>> recipe = kr.recipes.get("fashion_mnist_vgg")(epochs=2, batch_size=256)
>>> history = recipe.fit()
"""

import fnmatch

from kerasrecipes._names import unknown_name_error
from kerasrecipes.recipes.base import Recipe
from kerasrecipes.recipes.base import build
from kerasrecipes.recipes.base import split_data_object
from kerasrecipes.recipes.base import validate
from kerasrecipes.recipes.config import RecipeConfig

_REGISTRY = {}


def register(name, defaults):
    """Registers a recipe: a name and the `RecipeConfig` defaults it overrides.

    Args:
        name: str, the recipe name.
        defaults: dict of `RecipeConfig` fields that differ from the dataclass defaults.

    Returns:
        The recipe function, `fn(**overrides) -> Recipe`.
    """
    base = RecipeConfig(name=name).replace(**defaults)

    def recipe(**overrides):
        overrides, data = split_data_object(overrides)
        strategy = overrides.get("strategy")
        if strategy is not None and not isinstance(strategy, str):  # a tf.distribute.Strategy
            del overrides["strategy"]
        else:
            strategy = None
        return build(base.replace(**overrides), data=data, strategy=strategy)

    recipe.__name__ = name
    recipe.__doc__ = (
        f"Builds the `{name}` recipe. Keyword arguments override its config:\n\n"
        + base.to_json()
    )
    recipe.defaults = base
    _REGISTRY[name] = recipe
    return recipe


def names(pattern="*"):
    """Returns the sorted recipe names matching the fnmatch `pattern`."""
    return sorted(fnmatch.filter(_REGISTRY, pattern))


def get(name):
    """Returns the recipe function `name`; call it with overrides to build a `Recipe`.

    Raises:
        ValueError: unknown name, listing the known ones.
    """
    if name not in _REGISTRY:
        raise unknown_name_error("recipe", name, names())
    return _REGISTRY[name]


def config(name, **overrides):
    """Returns the `RecipeConfig` of recipe `name` with `overrides`, without building it."""
    return get(name).defaults.replace(**overrides)


from kerasrecipes.recipes import fashion_mnist  # noqa: E402  (registers the recipes)
from kerasrecipes.recipes import image_classifier  # noqa: E402
