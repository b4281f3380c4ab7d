"""Order weighed hosts: best first, with Nova's two knobs of randomness.

- ``shuffle_best_same_weighed_hosts``: the hosts sharing the best weight
  are shuffled, so identical hosts are used evenly.
- ``host_subset_size``: the host tried first is picked at random among the
  best N; the others keep their weighed order behind it.
"""

import numpy as np


def rank_hosts(indices, weights, subset_size=1, shuffle_best=False,
               rng=None):
    """Host indices in the order to try them (a new int array).

    :param indices: host indices (aligned with ``weights``).
    :param weights: total weights; higher is better. Ties keep the order of
        ``indices``.
    :param rng: a ``numpy.random.Generator`` (a fresh one when None).
    """
    indices = np.asarray(indices, dtype=np.intp)
    weights = np.asarray(weights, dtype=float)
    if not len(indices):
        return indices
    rng = rng if rng is not None else np.random.default_rng()
    by_weight = np.argsort(-weights, kind='stable')
    order = indices[by_weight]
    if shuffle_best:
        sorted_weights = weights[by_weight]
        n_best = int(np.count_nonzero(sorted_weights == sorted_weights[0]))
        if n_best > 1:
            order[:n_best] = rng.permutation(order[:n_best])
    subset = min(max(int(subset_size), 1), len(order))
    if subset > 1:
        pick = int(rng.integers(subset))
        if pick:
            chosen = order[pick]
            order[1:pick + 1] = order[:pick].copy()
            order[0] = chosen
    return order
