"""What a recipe adds for reliability: op determinism, resumable runs, NaN diagnosis.

Kept out of `base.py` so that `build()` and `Recipe.fit()` each make one call here.
"""

import keras

from kerasrecipes.training import diagnostics
from kerasrecipes.training import nan_guard
from kerasrecipes.training import resume


def configure(config):
    """Turns TensorFlow's op determinism on when `config.deterministic` is true.

    Op determinism is process-wide and cannot be turned off again: with it, two runs
    with the same seed give bit-identical weights on CPU (at some cost in speed).
    """
    if config.deterministic:
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


def check_part_names(config):
    """Looks up every part the config names, so a misspelt initializer, activation,
    norm, regularizer or constraint fails (with "Did you mean") before data is loaded.

    None keys are left to the model preset, `norm="off"` means no normalisation, and
    `norm="weight"` wraps the conv rather than following it: none is looked up here."""
    from kerasrecipes import activations
    from kerasrecipes import constraints
    from kerasrecipes import initializers
    from kerasrecipes import regularizers
    from kerasrecipes.layers import normalization

    if config.initializer is not None:
        initializers.get(config.initializer)
    if config.activation is not None:
        activations.layer(config.activation)
    if config.norm not in (None, "weight", "off"):
        normalization.get(config.norm, channels=8)
    if config.regularizer is not None:
        regularizers.get(config.regularizer)
    if config.constraint is not None:
        constraints.get(config.constraint)


def pipeline_options(config):
    """The training pipeline's keyword arguments set by the config (parallel map calls)."""
    return {} if config.parallel_calls is None else {"num_parallel_calls": config.parallel_calls}


def epoch_sync():
    """The callback whose counter makes the training pipeline epoch-indexed."""
    return resume.EpochSync()


def with_resume_callbacks(config, callbacks, sync):
    """Returns `callbacks` plus the epoch sync and, with `backup_dir`, the backup (last).

    A plain `TerminateOnNaN` becomes a `NaNGuard`, which also keeps the last good weights.
    """
    callbacks = [sync] + [
        nan_guard.NaNGuard() if type(c) is keras.callbacks.TerminateOnNaN else c
        for c in callbacks
    ]
    if config.backup_dir:
        callbacks.append(resume.ResumableBackup(config.backup_dir, config.backup_freq))
    return callbacks


def fit(model, train_data, epochs, callbacks, **fit_kwargs):
    """`model.fit`, through `resume.fit_resumable` when a backup callback is present.

    Returns:
        The `keras.callbacks.History`.

    Raises:
        TrainingDiverged: the loss became NaN or Inf. The model holds the weights of
            the start of that epoch, the backup (if any) its last good state, and the
            message says why (`diagnostics.diagnose_divergence`).
    """
    backups = [c for c in callbacks if isinstance(c, resume.ResumableBackup)]
    if not backups:
        history = model.fit(train_data, epochs=epochs, callbacks=callbacks, **fit_kwargs)
    else:
        backup = backups[0]
        others = [c for c in callbacks if c is not backup]
        backup.track([c for c in others if not isinstance(c, (resume.EpochSync,
                                                             keras.callbacks.TerminateOnNaN))])
        history = resume.fit_resumable(model, train_data, epochs, backup, others + [backup],
                                       **fit_kwargs)
    for guard in callbacks:
        if isinstance(guard, nan_guard.NaNGuard) and guard.diverged:
            epoch, batch, _ = guard.diverged
            x, y = next(iter(train_data.take(1)))
            message = diagnostics.diagnose_divergence(
                model, x, y, guard.learning_rate, where=f"epoch {epoch + 1}, batch {batch + 1}")
            raise diagnostics.TrainingDiverged(message, epoch, batch, history)
    return history
