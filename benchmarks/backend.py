"""Do the library's parts cost anything? Its Fashion-MNIST models against plain Keras.

Trains `fashion_vgg_small` and `fashion_squeezenet` (width 0.5) as the library builds
them and as the same layers written in plain Keras (`keras.layers` only, parameter
counts checked equal), under one backend (JAX by default, as on the lent GPU machine),
in float32 and in mixed precision (`mixed_float16` on a GPU, `mixed_bfloat16`
elsewhere), and reports training images/s. Runs alternate library and plain models so
that a machine's drift hits both. Goal: library >= 0.95x plain Keras.

    KERAS_BACKEND=jax python benchmarks/backend.py [--quick] [--images N] [--epochs N]

Writes benchmarks/results/backend.json (`--quick`: benchmarks/results/backend_quick.json,
a few seconds per run, to show the program works).
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import kerasrecipes as kr  # noqa: E402  (first: turns on oneDNN's kernels before TensorFlow)

import keras  # noqa: E402
import numpy as np  # noqa: E402

from kerasrecipes.training import precision as precision_lib  # noqa: E402

from provenance import write_result  # noqa: E402

MODELS = {"fashion_vgg_small": {}, "fashion_squeezenet": {"width": 0.5}}


def _conv_bn_relu(x, filters, kernel, pool=False):
    x = keras.layers.Conv2D(filters, kernel, padding="same", use_bias=False,
                            kernel_initializer="he_normal")(x)
    if pool:  # the library's VGG pools before batch norm and ReLU
        x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.BatchNormalization(momentum=0.9)(x)
    return keras.layers.ReLU()(x)


def plain_vgg():
    """`fashion_vgg_small` in plain Keras layers."""
    inputs = keras.Input((28, 28, 1))
    x = keras.layers.Rescaling(1 / 127.5, offset=-1.0)(inputs)
    x = _conv_bn_relu(x, 32, 3, pool=True)
    x = _conv_bn_relu(x, 64, 3)
    x = _conv_bn_relu(x, 64, 3, pool=True)
    x = _conv_bn_relu(x, 128, 3)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(256, use_bias=False, kernel_initializer="he_normal")(x)
    x = keras.layers.BatchNormalization(momentum=0.9)(x)
    x = keras.layers.ReLU()(x)
    x = keras.layers.Dropout(0.4)(x)
    outputs = keras.layers.Dense(10, activation="softmax", dtype="float32")(x)
    return keras.Model(inputs, outputs)


def _ceil_pool(x):
    # Ceil-mode 3x3/2 pooling (28 -> 14 -> 7 -> 3): pad one row and column at the end.
    # Inputs are ReLU outputs (>= 0), so zero padding never wins the max.
    x = keras.layers.ZeroPadding2D(((0, 1), (0, 1)))(x)
    return keras.layers.MaxPooling2D(3, strides=2)(x)


def _fire(x, squeeze, expand):
    s = _conv_bn_relu(x, squeeze, 1)
    return keras.layers.Concatenate()([_conv_bn_relu(s, expand, 1), _conv_bn_relu(s, expand, 3)])


def plain_squeezenet():
    """`fashion_squeezenet` at width 0.5 in plain Keras layers."""
    inputs = keras.Input((28, 28, 1))
    x = keras.layers.Rescaling(1 / 127.5, offset=-1.0)(inputs)
    x = _ceil_pool(_conv_bn_relu(x, 32, 3))
    x = _ceil_pool(_fire(_fire(x, 8, 32), 8, 32))
    x = _ceil_pool(_fire(_fire(x, 16, 64), 16, 64))
    for squeeze, expand in ((24, 96), (24, 96), (32, 128), (32, 128)):
        x = _fire(x, squeeze, expand)
    x = keras.layers.Dropout(0.3)(x)
    x = keras.layers.Conv2D(10, 1, kernel_initializer="he_normal")(x)
    x = keras.layers.ReLU()(x)
    x = keras.layers.GlobalAveragePooling2D(dtype="float32")(x)
    outputs = keras.layers.Activation("softmax", dtype="float32")(x)
    return keras.Model(inputs, outputs)


PLAIN = {"fashion_vgg_small": plain_vgg, "fashion_squeezenet": plain_squeezenet}


def build(name, kind, policy):
    with precision_lib.policy_scope(policy):
        if kind == "library":
            model = kr.models.get(name, **MODELS[name])
        else:
            model = PLAIN[name]()
    model.compile(optimizer=keras.optimizers.SGD(0.01, momentum=0.9, nesterov=True),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def images_per_s(model, x, y, batch_size, epochs):
    """Training images/s over `epochs` timed epochs, after one warm-up epoch (compiles)."""
    model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
    start = time.perf_counter()
    model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0)
    return len(x) * epochs / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="1,024 images, one timed epoch, one repeat")
    parser.add_argument("--images", type=int, default=20_000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--data", help="an .npz with x_train, y_train (for machines without "
                        "TensorFlow or the dataset); defaults to kr.data.load('fashion_mnist')")
    args = parser.parse_args()
    if args.quick:
        args.images, args.epochs, args.repeats = 1024, 1, 1

    device = precision_lib.detect()
    mixed = "mixed_float16" if device.kind == "gpu" else "mixed_bfloat16"
    if args.data:
        with np.load(args.data) as arrays:
            x_train, y_train = arrays["x_train"], arrays["y_train"]
    else:
        (x_train, y_train), _ = kr.data.load("fashion_mnist")
    x = x_train[: args.images].astype("float32")
    y = y_train[: args.images]

    rows = []
    for name in MODELS:
        for policy in ("float32", mixed):
            speeds = {"library": [], "plain": []}
            for _ in range(args.repeats):
                for kind in ("library", "plain"):
                    keras.utils.set_random_seed(0)
                    model = build(name, kind, policy)
                    speeds[kind].append(images_per_s(model, x, y, args.batch_size, args.epochs))
                    params = model.count_params()
                    if kind == "library":
                        library_params = params
                    elif params != library_params:
                        raise RuntimeError(f"{name}: plain Keras has {params} parameters, "
                                           f"the library {library_params}")
            library, plain = (statistics.median(speeds[k]) for k in ("library", "plain"))
            rows.append({"model": name, "policy": policy, "params": library_params,
                         "library_images_per_s": round(library, 1),
                         "plain_images_per_s": round(plain, 1),
                         "ratio": round(library / plain, 3)})
            print(rows[-1], flush=True)

    result = {
        "backend": keras.backend.backend(),
        "device": device.describe(),
        "quick": args.quick,
        "goal": "library >= 0.95x plain Keras images/s",
        "rows": rows,
        "gpu": ("measured here" if device.kind == "gpu" else
                "not measured: no GPU machine was lent to this task; run "
                "`KERAS_BACKEND=jax python benchmarks/backend.py` on one"),
    }
    config = {"images": args.images, "epochs": args.epochs, "repeats": args.repeats,
              "batch_size": args.batch_size, "models": MODELS,
              "optimizer": "sgd nesterov 0.01 momentum 0.9"}
    path = write_result("backend_quick" if args.quick else "backend", result, config=config,
                        precision={"float32": "float32", "mixed": mixed})
    print("wrote", path)


if __name__ == "__main__":
    main()
