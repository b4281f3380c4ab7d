#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.

"""Step ``rank``: weighed hosts best first, with Nova's two random knobs.

- ``shuffle_best_same_weighed_hosts``: the hosts sharing the best weight
  are shuffled, so identical hosts are used evenly.
- ``host_subset_size``: the host tried first is picked at random among the
  best N; the others keep their weighed order behind it.

A request tries a few hosts (a claim, the alternates), so only the best
ones are sorted at once; the rest are sorted if a request gets that far.
Without either knob, nothing is sorted until a host past the first is
reached: the first is the best weighed (``numpy.argmax``, ties to the
earliest, as the sort), and a claim mostly takes it (``Best``).
"""

import collections.abc

import numpy as np

# Hosts sorted at once (more if host_subset_size asks for more).
HEAD = 64


class Ranked(collections.abc.Sequence):
    """Host indices best first; ties keep the order they were given in.

    The hosts past the head are sorted the first time they are reached:
    ``tail_indices`` and ``tail_weights``, or, when ``rest`` is given
    (``(indices, weights, in_head)``), those of ``indices`` not in the
    head, picked then.
    """

    def __init__(self, head, tail_indices=(), tail_weights=(), rest=None):
        self._head = head
        self._rest = rest
        if rest is None:
            self._tail_indices = np.asarray(tail_indices, dtype=np.intp)
            self._tail_weights = np.asarray(tail_weights, dtype=float)
            self._tail_size = len(self._tail_indices)
        else:
            self._tail_size = len(rest[0]) - len(head)
        self._tail = None

    def _sorted_tail(self):
        if self._tail is None:
            if self._rest is not None:
                indices, weights, in_head = self._rest
                tail = np.flatnonzero(~in_head)
                self._tail_indices = indices[tail]
                self._tail_weights = weights[tail]
            by_weight = np.argsort(-self._tail_weights, kind='stable')
            self._tail = self._tail_indices[by_weight]
        return self._tail

    def __len__(self):
        return len(self._head) + self._tail_size

    def __getitem__(self, i):
        if isinstance(i, (int, np.integer)) and 0 <= i < len(self._head):
            return self._head[i]
        return np.concatenate([self._head, self._sorted_tail()])[i]

    def __iter__(self):
        yield from self._head.tolist()
        if self._tail_size:
            yield from self._sorted_tail().tolist()


class Best(collections.abc.Sequence):
    """Host indices best first; only the first known until more is read.

    The first is the earliest of the hosts of the highest weight, as the
    first of ``_split``'s; the whole order is ``_split``'s, made when a
    host past the first is read.
    """

    def __init__(self, indices, weights, first, head_size):
        self._indices = indices
        self._weights = weights
        self._first = first
        self._head_size = head_size
        self._ranked = None

    def _all(self):
        if self._ranked is None:
            self._ranked = _split(self._indices, self._weights,
                                  self._head_size)
        return self._ranked

    def __len__(self):
        return len(self._indices)

    def __getitem__(self, i):
        if isinstance(i, (int, np.integer)) and i == 0:
            return self._indices[self._first]
        return self._all()[i]

    def __iter__(self):
        yield int(self._indices[self._first])
        rest = iter(self._all())
        next(rest)
        yield from rest


def _split(indices, weights, head_size):
    """``Ranked`` with at least ``head_size`` hosts sorted (all ties)."""
    n = len(weights)
    if n <= head_size:
        return Ranked(indices[np.argsort(-weights, kind='stable')])
    # The head_size-th highest weight.
    threshold = np.partition(weights, n - head_size)[n - head_size]
    in_head = weights >= threshold
    head = np.flatnonzero(in_head)
    head = head[np.argsort(-weights[head], kind='stable')]
    return Ranked(indices[head], rest=(indices, weights, in_head))


def rank_hosts(indices, weights, subset_size=1, shuffle_best=False,
               rng=None):
    """Host indices in the order to try them (a ``Ranked`` sequence).

    :param indices: host indices (aligned with ``weights``).
    :param weights: total weights; higher is better. Ties keep the order of
        ``indices``.
    :param rng: a ``numpy.random.Generator`` (a fresh one when None).
    """
    indices = np.asarray(indices, dtype=np.intp)
    weights = np.asarray(weights, dtype=float)
    if not len(indices):
        return Ranked(indices)
    subset = min(max(int(subset_size), 1), len(indices))
    if subset == 1 and not shuffle_best:
        first = int(np.argmax(weights))
        # NaN first for argmax, last for the sort: the sort decides.
        if weights[first] == weights[first]:
            return Best(indices, weights, first, HEAD)
    ranked = _split(indices, weights, max(HEAD, subset))
    order = ranked._head
    if (shuffle_best or subset > 1) and rng is None:
        # Made only when drawn from: making one costs more than ranking.
        rng = np.random.default_rng()
    if shuffle_best:
        best = weights.max()
        n_best = int(np.count_nonzero(weights == best))
        if n_best > 1:
            order[:n_best] = rng.permutation(order[:n_best])
    if subset > 1:
        pick = int(rng.integers(subset))
        if pick:
            chosen = order[pick]
            order[1:pick + 1] = order[:pick].copy()
            order[0] = chosen
    return ranked


def run(request, indices, weights, conf, rng=None):
    """Set ``request.order``: the hosts to try for the claim, best first.

    :param conf: the ``[filter_scheduler]`` group (``host_subset_size``,
        ``shuffle_best_same_weighed_hosts``).
    """
    with request.timed('rank'):
        request.order = rank_hosts(
            indices, weights, subset_size=conf.host_subset_size,
            shuffle_best=conf.shuffle_best_same_weighed_hosts, rng=rng)
    return request.order
