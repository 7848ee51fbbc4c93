"""`image_classifier`: the generic recipe for the user's own images.

Any data source (`data=`: a folder of class sub-folders, a registered or TFDS name,
arrays or a dataset in Python), any registered model (`model=`), with the input shape
and the number of classes taken from the data, and the in-model preprocessing chosen by
`preprocessing=` (`"squeeze"`, `"standardize"` or `"zca"`, adapted on the training
split). Everything else is the seeds' training defaults: SGD with Nesterov momentum,
warmup and cosine decay, flips and pad-and-crop augmentation.

    kerasrecipes train image_classifier --data path/to/images --epochs 5 --export

In Python, `data=` also takes arrays `(x, y)` or `((x, y), (x_test, y_test))` and a
`tf.data.Dataset`; a config holds strings only, so it then records `data="<arrays>"` or
`data="<dataset>"` (the export's `kerasrecipes.json` says which), and the object itself
goes to `build(config, data=...)`. Without test data `evaluate()` raises and says so.

The default model is `cifar_squeezenet`: SqueezeNet v1.1 with the small stem and
global average pooling, so it takes any image of at least 16×16 pixels with a small
parameter count whatever the size.

Example:

>>> recipe = kr.recipes.get("image_classifier")(data="path/to/images", epochs=5)
>>> history = recipe.fit()
>>> path = recipe.export()   # class names from the folder names in kerasrecipes.json
"""

from kerasrecipes.recipes import register

image_classifier = register(
    "image_classifier",
    dict(model="cifar_squeezenet", augment="flip_crop", epochs=10),
)
