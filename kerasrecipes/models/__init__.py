"""Model builders and their registry of named presets.

Builders are code (`vgg`, `squeezenet`, `resnet`); presets are data (a name and the builder's
keyword arguments, in each builder module's `PRESETS`).

Example:

>>> import kerasrecipes as kr
>>> model = kr.models.get("squeezenet_1_1", classes=10, input_shape=(32, 32, 3))
>>> kr.models.names("vgg1*")
['vgg11', 'vgg11_bn', 'vgg13', 'vgg13_bn', 'vgg16', 'vgg16_bn', 'vgg19', 'vgg19_bn']
>>> inference_model = kr.models.fold_batch_norm(model)  # batch norm merged into the convs
"""

import fnmatch

from kerasrecipes._names import unknown_name_error
from kerasrecipes.models import resnet as resnet_lib
from kerasrecipes.models import squeezenet as squeezenet_lib
from kerasrecipes.models import vgg as vgg_lib
from kerasrecipes.models.folding import fold_batch_norm
from kerasrecipes.models.resnet import resnet
from kerasrecipes.models.squeezenet import squeezenet
from kerasrecipes.models.vgg import vgg

_BUILDERS = {"vgg": vgg, "squeezenet": squeezenet, "resnet": resnet}
_PRESETS = {}
for _builder, _module in (("vgg", vgg_lib), ("squeezenet", squeezenet_lib),
                          ("resnet", resnet_lib)):
    for _name, _kwargs in _module.PRESETS.items():
        if _name in _PRESETS or _name in _BUILDERS:
            raise RuntimeError(f"Model preset {_name!r} is defined twice.")
        _PRESETS[_name] = (_builder, _kwargs)


def names(pattern="*"):
    """Returns the sorted builder and preset names matching the fnmatch `pattern`."""
    return sorted(fnmatch.filter(set(_BUILDERS) | set(_PRESETS), pattern))


def preset(name):
    """Returns `(builder_name, kwargs)` of the preset `name` (a copy of the kwargs).

    Raises:
        ValueError: unknown preset name, listing the known ones.
    """
    if name not in _PRESETS:
        raise unknown_name_error("model", name, sorted(_PRESETS))
    builder, kwargs = _PRESETS[name]
    return builder, dict(kwargs)


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
        builder, preset_kwargs = _PRESETS[name]
        return _BUILDERS[builder](**{**preset_kwargs, "name": name, **kwargs})
    raise unknown_name_error("model", name, names())
