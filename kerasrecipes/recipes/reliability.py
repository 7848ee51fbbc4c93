"""What a recipe adds for reliability: op determinism, resumable runs, NaN diagnosis.

Kept out of `base.py` so that `build()` and `Recipe.fit()` each make one call here.
"""

import keras

from kerasrecipes.training import resume


def configure(config):
    """Turns TensorFlow's op determinism on when `config.deterministic` is true.

    Op determinism is process-wide and cannot be turned off again: with it, two runs
    with the same seed give bit-identical weights on CPU (at some cost in speed).
    """
    if config.deterministic:
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


def epoch_sync():
    """The callback whose counter makes the training pipeline epoch-indexed."""
    return resume.EpochSync()


def with_resume_callbacks(config, callbacks, sync):
    """Returns `callbacks` plus the epoch sync and, with `backup_dir`, the backup (last)."""
    callbacks = [sync] + list(callbacks)
    if config.backup_dir:
        callbacks.append(resume.ResumableBackup(config.backup_dir, config.backup_freq))
    return callbacks


def fit(model, train_data, epochs, callbacks, **fit_kwargs):
    """`model.fit`, through `resume.fit_resumable` when a backup callback is present.

    Returns:
        The `keras.callbacks.History`.
    """
    backups = [c for c in callbacks if isinstance(c, resume.ResumableBackup)]
    if not backups:
        return model.fit(train_data, epochs=epochs, callbacks=callbacks, **fit_kwargs)
    backup = backups[0]
    others = [c for c in callbacks if c is not backup]
    backup.track([c for c in others if not isinstance(c, (resume.EpochSync,
                                                         keras.callbacks.TerminateOnNaN))])
    return resume.fit_resumable(model, train_data, epochs, backup, others + [backup],
                                **fit_kwargs)
