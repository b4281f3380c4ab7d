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

"""Observations summed in the worker, written to the metric files at once.

In multiprocess mode every increment of a ``prometheus_client`` value
takes a lock and writes a memory-mapped file: some 3 µs, and a request
makes about twenty (a histogram observation is two). So the recorder
only queues what a request did, and the worker's publisher thread sums a
second's worth here and writes each counter, histogram bucket and sum
once (``Batch.write``).
"""

import bisect


class Batch:
    """Counter increments and histogram observations, by labelled child."""

    def __init__(self):
        self._counts = {}
        self._observed = {}

    def inc(self, metric, labels=(), amount=1):
        key = (metric, labels)
        self._counts[key] = self._counts.get(key, 0) + amount

    def observe(self, metric, labels, value):
        self._observed.setdefault((metric, labels), []).append(value)

    def observe_all(self, metric, labels, values):
        self._observed.setdefault((metric, labels), []).extend(values)

    def write(self, child):
        """Write everything; ``child(metric, labels)`` is the labelled one."""
        for (metric, labels), amount in self._counts.items():
            if amount:
                child(metric, labels).inc(amount)
        for (metric, labels), values in self._observed.items():
            observe_all(child(metric, labels), values)


def observe_all(histogram, values):
    """``histogram.observe(v)`` for each of ``values``, written once.

    Each bucket and the sum get one increment, through the histogram's
    values (``_buckets``, ``_sum``, ``_upper_bounds``, unchanged in
    ``prometheus_client`` since its first releases); should they be
    missing, each value is observed in turn.
    """
    buckets = getattr(histogram, '_buckets', None)
    total = getattr(histogram, '_sum', None)
    bounds = getattr(histogram, '_upper_bounds', None)
    if (buckets is None or total is None or bounds is None or
            len(buckets) != len(bounds)):
        for value in values:
            histogram.observe(value)
        return
    counts = [0] * len(bounds)
    last = len(bounds) - 1
    for value in values:
        # The first bucket whose upper bound is >= value, as observe().
        counts[min(bisect.bisect_left(bounds, value), last)] += 1
    total.inc(sum(values))
    for bucket, count in zip(buckets, counts):
        if count:
            bucket.inc(count)
