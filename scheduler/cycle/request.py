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

"""The record one request's steps share (``scheduler.cycle``).

A ``Request`` lives for one ``select_destinations`` call: nothing about a
request outlives it or lives in a module.
"""

import collections
import contextlib
import time

from scheduler.filters import utils as filter_utils


def _request_id(context):
    """The caller's (global) request id, for log lines; None if unknown."""
    if isinstance(context, dict):
        return context.get('global_request_id') or context.get('request_id')
    return (getattr(context, 'global_request_id', None) or
            getattr(context, 'request_id', None))


class Claimed:
    """What one instance got: host index, allocation request, consumer.

    ``previous``: the allocations the consumer held before a move claim
    (a non-forced evacuation), which undoing the claim puts back.
    """

    __slots__ = ('index', 'allocation_request', 'consumer', 'previous')

    def __init__(self, index, allocation_request, consumer, previous=None):
        self.index = index
        self.allocation_request = allocation_request
        self.consumer = consumer
        self.previous = previous


class Request:
    """One ``select_destinations``, as the steps see it.

    Set by the caller: ``spec``, ``uuids`` (one Placement consumer per
    instance, or None: a legacy caller, nothing is claimed), ``count``,
    ``return_alternates``, ``request_id``, ``explainer`` (where
    explanations go) and ``on_candidates`` (called once Placement offered
    candidates) and ``dry_run`` (a plan: the claim step writes nothing
    to Placement, it only consumes locally; set by the dry run of
    ``scheduler.drivers.dry_run``, never by ``select_destinations``).
    Filled by the steps, in order: ``query``, ``candidates``,
    ``host_set`` and ``version`` (of the allocation requests), then per
    instance ``eligible``, ``trace``, ``order`` and one ``Claimed`` in
    ``claimed``. ``step`` is the step running; ``timings`` the seconds
    spent in each.
    """

    def __init__(self, spec, instance_uuids=None, return_alternates=False,
                 context=None, explainer=None, on_candidates=None,
                 dry_run=False):
        self.spec = spec
        self.dry_run = dry_run
        # As Nova: no (or an empty list of) instance uuids means a legacy
        # caller; it gets selections for spec.num_instances, unclaimed.
        self.uuids = list(instance_uuids) if instance_uuids else None
        self.count = (len(self.uuids) if self.uuids
                      else max(int(spec.num_instances or 1), 1))
        self.return_alternates = return_alternates
        self.request_id = _request_id(context)
        self.explainer = explainer
        self.on_candidates = on_candidates
        self.query = None
        self.start_cycle()
        self.step = None
        self.timings = collections.defaultdict(float)

    def start_cycle(self):
        """Forget what a cycle found: its answer, host states and claims.

        Once claims made are undone, the cycle may run again
        (``scheduler.cycle.widen``).
        """
        self.candidates = None
        self.host_set = None
        self.version = None
        # The hosts that passed the filters of the earlier instances
        # (None: all), the last filter trace and the last host order.
        self.eligible = None
        self.trace = None
        self.order = None
        self.claimed = []

    @property
    def is_rebuild(self):
        return filter_utils.is_rebuild(self.spec)

    def consumer(self, index):
        """The Placement consumer of instance ``index``, or None."""
        return self.uuids[index] if self.uuids else None

    @contextlib.contextmanager
    def timed(self, step):
        """Run a step: ``step`` names it, its time adds to ``timings``."""
        self.step = step
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[step] += time.perf_counter() - start

    def timings_text(self):
        """E.g. ``query 0.3 ms, candidates 21.0 ms, ...``, in step order."""
        return ', '.join('%s %.1f ms' % (step, seconds * 1000.0)
                         for step, seconds in self.timings.items())
