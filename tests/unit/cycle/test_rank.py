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

import numpy as np

from scheduler.cycle import rank


class FixedRng:
    """Picks the given index; permutes by reversing."""

    def __init__(self, pick=0):
        self.pick = pick

    def integers(self, high):
        assert self.pick < high
        return self.pick

    def permutation(self, values):
        return values[::-1]


def test_best_weight_first_and_ties_keep_their_order():
    order = rank.rank_hosts([10, 11, 12, 13], [1.0, 3.0, 1.0, 2.0],
                            rng=FixedRng())
    assert list(order) == [11, 13, 10, 12]


def test_shuffle_touches_only_the_hosts_sharing_the_best_weight():
    order = rank.rank_hosts([0, 1, 2, 3, 4], [5.0, 1.0, 5.0, 5.0, 2.0],
                            shuffle_best=True, rng=FixedRng())
    assert list(order) == [3, 2, 0, 4, 1]


def test_subset_size_moves_the_picked_host_to_the_front():
    order = rank.rank_hosts([0, 1, 2, 3], [4.0, 3.0, 2.0, 1.0],
                            subset_size=3, rng=FixedRng(pick=2))
    assert list(order) == [2, 0, 1, 3]


def test_subset_size_picks_only_among_the_best_n():
    rng = np.random.default_rng(11)
    firsts = {int(rank.rank_hosts(range(10), np.arange(10.0)[::-1],
                                  subset_size=3, rng=rng)[0])
              for _ in range(200)}
    assert firsts == {0, 1, 2}


def test_subset_larger_than_the_hosts_is_all_hosts():
    order = rank.rank_hosts([7, 8], [1.0, 2.0], subset_size=100,
                            rng=FixedRng(pick=1))
    assert list(order) == [7, 8]


def test_no_hosts_is_an_empty_order():
    assert len(rank.rank_hosts([], [])) == 0


def test_a_long_order_is_the_stable_sort_of_all_hosts():
    rng = np.random.default_rng(5)
    for size in (rank.HEAD - 1, rank.HEAD + 1, 1000):
        weights = rng.integers(0, 50, size).astype(float)
        indices = rng.permutation(size) + 1000
        expected = indices[np.argsort(-weights, kind='stable')]
        order = rank.rank_hosts(indices, weights, rng=FixedRng())
        assert len(order) == size
        assert list(order) == expected.tolist()
        assert order[0] == expected[0]
        assert order[size - 1] == expected[-1]


def test_shuffle_and_subset_work_on_long_orders():
    weights = np.zeros(500)
    weights[[400, 7, 300]] = 2.0
    order = rank.rank_hosts(np.arange(500), weights, shuffle_best=True,
                            rng=FixedRng())
    assert list(order)[:4] == [400, 300, 7, 0]
    order = rank.rank_hosts(np.arange(500), -np.arange(500.0),
                            subset_size=100, rng=FixedRng(pick=99))
    assert list(order)[:3] == [99, 0, 1]
    assert list(order)[100:102] == [100, 101]


def test_the_first_host_is_read_without_sorting_the_others(monkeypatch):
    sorted_ = []
    real = rank._split

    def split(*args):
        sorted_.append(args)
        return real(*args)

    monkeypatch.setattr(rank, '_split', split)
    order = rank.rank_hosts([10, 11, 12, 13], [1.0, 3.0, 3.0, 2.0])
    # The earliest of the best, as the sort puts it.
    assert order[0] == 11
    hosts = iter(order)
    assert next(hosts) == 11
    assert not sorted_
    assert list(hosts) == [12, 13, 10]
    assert len(sorted_) == 1
    assert list(order) == [11, 12, 13, 10]
    assert order[-1] == 10
    assert list(order[1:3]) == [12, 13]
    assert len(order) == 4


def test_the_first_host_is_the_sorts_whatever_the_weights():
    rng = np.random.default_rng(17)
    for size in (1, 2, 5, rank.HEAD, rank.HEAD + 3, 300):
        for _ in range(20):
            weights = rng.integers(0, 4, size).astype(float)
            weights[rng.random(size) < 0.1] = -0.0
            if rng.random() < 0.2:
                weights[rng.integers(size)] = np.nan
            indices = rng.permutation(size) + 100
            expected = indices[np.argsort(-weights, kind='stable')]
            order = rank.rank_hosts(indices, weights)
            assert order[0] == expected[0]
            assert list(order) == expected.tolist()
            at = int(rng.integers(size))
            assert order[at] == expected[at]
