"""Seeded, stratified splits: every class keeps its share in both parts."""

import numpy as np


def stratified_split(labels, fraction, seed, fold=0):
    """Splits indices into `(train, held_out)` so each class gives `fraction` of its samples.

    Each class with at least two samples gives `round(n · fraction)` of them, at least
    one, to the held-out part, and keeps at least one for training. Both index arrays
    come in a seeded random order (so `train[:n]` is a random, roughly stratified subset).

    Args:
        labels: int array `(N,)`.
        fraction: float in (0, 1).
        seed: int.
        fold: int, which block of each class's seeded order is held out: with
            `fraction=1/k`, folds `0..k-1` are the k folds of a stratified
            cross-validation. Defaults to 0.

    Returns:
        `(train_indices, held_out_indices)`, int64 arrays.

    Raises:
        ValueError: `fraction` outside (0, 1).

    Example:

    >>> train, val = stratified_split(np.array([0, 0, 0, 0, 1, 1]), 0.5, seed=0)
    >>> sorted(np.array([0, 0, 0, 0, 1, 1])[val])
    [0, 0, 1]
    """
    if not 0 < fraction < 1:
        raise ValueError(f"Argument `fraction` must be in (0, 1). Received: fraction={fraction!r}")
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    train, held_out = [], []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        take = 0 if len(members) < 2 else min(len(members) - 1,
                                               max(1, int(round(len(members) * fraction))))
        # Fold i holds out positions [round(i·n·f), round((i+1)·n·f)) of the class's
        # seeded order, so with f = 1/k the k folds partition the class.
        start = 0 if fold == 0 else min(len(members) - take, int(round(fold * len(members) * fraction)))
        end = start + take if fold == 0 else max(start + min(take, 1),
                                                  int(round((fold + 1) * len(members) * fraction)))
        end = min(end, len(members))
        held_out.append(members[start:end])
        train.append(np.concatenate([members[:start], members[end:]]))
    return (rng.permutation(np.concatenate(train)).astype(np.int64),
            rng.permutation(np.concatenate(held_out)).astype(np.int64))
