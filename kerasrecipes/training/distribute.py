"""Training on several devices with `tf.distribute` (TensorFlow backend only).

A recipe's `strategy` key names how it spreads over devices:

- `"default"`: one device (the first GPU if there is one, else the CPU).
- `"mirrored"`: every GPU of this machine (`tf.distribute.MirroredStrategy`), one
  model replica per GPU, gradients all-reduced each step.
- `"multi_worker"`: every GPU of several machines
  (`tf.distribute.MultiWorkerMirroredStrategy`); each worker runs the same program with
  its own `TF_CONFIG` (cluster addresses and its task index).
- `"tpu"`: a Cloud TPU or Colab TPU (`tf.distribute.TPUStrategy`), found through
  `TPUClusterResolver` (the `TPU_NAME` environment variable or the local TPU VM).
- or any `tf.distribute.Strategy` object, passed from Python.

The recipe builds its model and optimizer inside `strategy.scope()`. `batch_size` is
the batch **per replica**: each step consumes `batch_size × replicas` images, and the
learning rate follows the linear scaling rule (Goyal et al., 2017, "Accurate, Large
Minibatch SGD"): multiplied by the number of replicas, with the recipe's warmup
easing the first epoch. `lr_scaling="none"` keeps the configured rate.

In-memory arrays are sharded across workers by element (`AutoShardPolicy.DATA`: every
worker sees the same shuffled order, from the same seed, and keeps its part of each
batch); datasets read from files are sharded by file (`AutoShardPolicy.FILE`), so no
worker reads what another one does.
"""

import contextlib

import keras

from kerasrecipes._names import unknown_name_error

NAMES = ("default", "mirrored", "multi_worker", "tpu")
LR_SCALING = ("linear", "none")
SOURCES = ("memory", "files")


def _tf():
    import tensorflow as tf

    return tf


def check(strategy):
    """Raises unless `strategy` is a strategy name or a `tf.distribute.Strategy`.

    It creates nothing, so it can run before TensorFlow's runtime starts.

    Raises:
        ValueError: an unknown name (close matches listed).
        TypeError: neither a string nor a strategy.
    """
    if isinstance(strategy, str):
        if strategy not in NAMES:
            raise unknown_name_error("strategy", strategy, list(NAMES))
        if strategy != "default" and keras.backend.backend() != "tensorflow":
            raise ValueError(
                "Argument `strategy` must be 'default' under the "
                f"{keras.backend.backend()} backend (tf.distribute needs TensorFlow; use "
                f"keras.distribution there). Received: strategy={strategy!r}"
            )
        return
    if keras.backend.backend() != "tensorflow" or not isinstance(
        strategy, _tf().distribute.Strategy
    ):
        raise TypeError(
            "Argument `strategy` must be one of "
            f"{', '.join(repr(n) for n in NAMES)} or a tf.distribute.Strategy. "
            f"Received: strategy={strategy!r}"
        )


def get(strategy="default"):
    """Returns the `tf.distribute.Strategy` for a name, or the strategy itself.

    Create it first thing in a program: `"multi_worker"` and `"tpu"` must configure
    TensorFlow's runtime before any tensor exists.

    Args:
        strategy: `"default"`, `"mirrored"`, `"multi_worker"`, `"tpu"` or a
            `tf.distribute.Strategy`.

    Returns:
        A `tf.distribute.Strategy`, or None for `"default"` under a backend other
        than TensorFlow.

    Example:

    >>> strategy = get("mirrored")
    >>> with strategy.scope():
    ...     model = kerasrecipes.models.get("fashion_vgg_small")
    """
    check(strategy)
    if not isinstance(strategy, str):
        if isinstance(strategy, _tf().distribute.MultiWorkerMirroredStrategy):
            return _reduce_nested(strategy)
        return strategy
    if keras.backend.backend() != "tensorflow":
        return None
    tf = _tf()
    if strategy == "default":
        return tf.distribute.get_strategy()
    if strategy == "mirrored":
        return tf.distribute.MirroredStrategy()
    if strategy == "multi_worker":
        return _reduce_nested(tf.distribute.MultiWorkerMirroredStrategy())
    resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
    tf.config.experimental_connect_to_cluster(resolver)
    tf.tpu.experimental.initialize_tpu_system(resolver)
    return tf.distribute.TPUStrategy(resolver)


def _reduce_nested(strategy):
    """Makes `strategy.reduce` take what Keras 3's `fit()` gives it.

    Under MultiWorkerMirroredStrategy Keras 3.15's `fit()` fails on its first step
    (keras-team/keras#20585, open for Keras 3.15 and TensorFlow 2.21) twice over: it
    reduces its first `(images, labels)` batch in one `reduce` call, which this
    strategy takes for a single value only, and it averages each replica's scalar
    metrics with `axis=0`, which a scalar has not. Reducing each tensor in turn, and
    scalars across replicas (axis None), is what MirroredStrategy's `fit()` computes.
    The wrapper is set on this strategy object only.
    """
    if getattr(strategy, "_kerasrecipes_nested_reduce", False):
        return strategy
    tf = _tf()
    reduce_one = strategy.reduce

    def rank(value):
        return strategy.experimental_local_results(value)[0].shape.rank

    def reduce(reduce_op, value, axis=None):
        return tf.nest.map_structure(
            lambda v: reduce_one(reduce_op, v, axis=None if rank(v) == 0 else axis), value)

    strategy.reduce = reduce
    strategy._kerasrecipes_nested_reduce = True
    return strategy


def replicas(strategy):
    """Returns the number of replicas that train in sync (1 without a strategy)."""
    return 1 if strategy is None else int(strategy.num_replicas_in_sync)


def scope(strategy):
    """Returns `strategy.scope()`, or a no-op context without a strategy."""
    return contextlib.nullcontext() if strategy is None else strategy.scope()


def global_batch_size(per_replica, strategy):
    """Returns the images per step: `per_replica × replicas(strategy)`."""
    return int(per_replica) * replicas(strategy)


def scale_learning_rate(learning_rate, strategy, rule="linear"):
    """Returns the learning rate for `replicas(strategy)` replicas under `rule`.

    Args:
        learning_rate: float, the rate tuned for one replica's batch.
        strategy: a `tf.distribute.Strategy` or None.
        rule: `"linear"` (multiply by the replicas, Goyal et al. 2017) or `"none"`.

    Raises:
        ValueError: unknown rule.
    """
    if rule not in LR_SCALING:
        raise unknown_name_error("lr_scaling", rule, list(LR_SCALING))
    return learning_rate * replicas(strategy) if rule == "linear" else learning_rate


def shard(dataset, source="memory"):
    """Sets how `dataset` is split across workers when a strategy distributes it.

    Args:
        dataset: a `tf.data.Dataset`.
        source: `"memory"` (arrays: shard by element, `AutoShardPolicy.DATA`) or
            `"files"` (one worker per file, `AutoShardPolicy.FILE`).

    Returns:
        The dataset with its distribution options set.
    """
    if source not in SOURCES:
        raise unknown_name_error("source", source, list(SOURCES))
    tf = _tf()
    policy = tf.data.experimental.AutoShardPolicy
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = (
        policy.DATA if source == "memory" else policy.FILE
    )
    return dataset.with_options(options)
