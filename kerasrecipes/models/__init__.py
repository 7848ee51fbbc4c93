"""Model builders and their registry of named presets.

Example:

>>> import kerasrecipes as kr
>>> model = kr.models.get("fashion_vgg_small")
>>> kr.models.names("vgg1*")
['vgg11', 'vgg11_bn', 'vgg13', 'vgg13_bn', 'vgg16', 'vgg16_bn', 'vgg19', 'vgg19_bn']
"""

import fnmatch

from kerasrecipes._names import unknown_name_error
from kerasrecipes.models import vgg as vgg_lib
from kerasrecipes.models.vgg import vgg

_BUILDERS = {"vgg": vgg}
_PRESETS = {name: ("vgg", kwargs) for name, kwargs in vgg_lib.PRESETS.items()}


def names(pattern="*"):
    """Returns the sorted builder and preset names matching the fnmatch `pattern`."""
    return sorted(fnmatch.filter(set(_BUILDERS) | set(_PRESETS), pattern))


def get(name, **kwargs):
    """Builds the model `name` (a builder or a preset), with keyword overrides.

    Args:
        name: str, a name from `names()`.
        **kwargs: arguments of the builder, overriding the preset's.

    Returns:
        A `keras.Model`.

    Raises:
        ValueError: unknown name, listing the known ones.
    """
    if name in _BUILDERS:
        return _BUILDERS[name](**kwargs)
    if name in _PRESETS:
        builder, preset = _PRESETS[name]
        return _BUILDERS[builder](**{**preset, "name": name, **kwargs})
    raise unknown_name_error("model", name, names())
