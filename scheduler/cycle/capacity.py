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

"""How many more instances of one request fit now, host by host.

Run on the host set of one Placement answer (the dry run's capacity
count, ``scheduler.drivers.dry_run``): every host that passes the filters
takes one instance (``HostStateSet.consume``, as between the instances of
a multi-create), and the filters run again over the hosts that took one,
until none passes. The filters see what was consumed: resources through
``has_room``, the NUMA and PCI filters through ``placed`` (they fit again
the instances placed on the host so far), the group filters through the
hosts used. Nothing is claimed.

Bounded: at most ``max_per_host`` instances per host and ``deadline``
(a ``time.monotonic()`` value); a count stopped by either is a lower
bound, and says so.
"""

import dataclasses
import time

import numpy as np

# Why a count stopped before every host was full.
PER_HOST_CAP = 'per-host cap'
TIME = 'time'


@dataclasses.dataclass
class Capacity:
    """A count: instances per host index, and how it ended.

    ``counts``: int64 column aligned with the host set; ``rounds``: filter
    runs; ``stopped``: None (every host full), ``PER_HOST_CAP`` or
    ``TIME``; ``first_trace``: the first filter run's trace (why the
    other hosts take none).
    """

    counts: np.ndarray
    rounds: int = 0
    stopped: str | None = None
    first_trace: object = None

    @property
    def total(self):
        return int(self.counts.sum())


def count(request, filters, max_per_host, deadline, clock=time.monotonic):
    """Count what fits on ``request.host_set``; a ``Capacity``.

    :param filters: a ``FilterHandler`` (its explanations are not wanted
        here: give one with a quiet ``Explainer``).
    """
    host_set, spec = request.host_set, request.spec
    result = Capacity(np.zeros(len(host_set), dtype=np.int64))
    mask = None
    with request.timed('capacity'):
        while True:
            if clock() > deadline:
                result.stopped = TIME
                break
            passed, trace = filters.run(host_set, spec, mask, result.rounds)
            if result.first_trace is None:
                result.first_trace = trace
            result.rounds += 1
            took = [i for i in np.flatnonzero(passed).tolist()
                    if _consume(host_set, i)]
            if not took:
                break
            result.counts[took] += 1
            full = result.counts >= max_per_host
            mask = passed & ~full
            if not mask.any():
                if full.any():
                    result.stopped = PER_HOST_CAP
                break
    return result


def _consume(host_set, index):
    """One instance on host ``index``; False if no request fits any more."""
    allocation_request = host_set.hosts[index].fitting_request()
    if allocation_request is None:
        return False
    host_set.consume(index, allocation_request)
    return True
