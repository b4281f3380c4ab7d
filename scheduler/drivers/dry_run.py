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

"""Dry runs of the ``filter_scheduler`` driver: plans and capacity counts.

What ``scheduler-plan`` asks a running service for, through the operators'
endpoint (``scheduler.rpc.admin``), never through Nova's API:

- ``plan_destinations``: the cycle of ``select_destinations`` for
  ``count`` instances with ``Request.dry_run`` set, so that the claim step
  only consumes each chosen host locally (as between the instances of a
  multi-create) and writes nothing to Placement; with alternates, and, if
  asked, each host's fate and weights for this request alone.
- ``plan_capacity``: how many more instances fit, host by host
  (``scheduler.cycle.capacity``), on one Placement answer asked with a
  larger ``limit``.

Neither claims, so neither has anything to undo.
"""

import dataclasses
import threading
import time

from scheduler.cycle import capacity
from scheduler.cycle import request as cycle_request
from scheduler import exception
from scheduler.filters import explain
from scheduler.filters import handler as filter_handler


@dataclasses.dataclass
class Plan:
    """A dry run's outcome.

    ``selections``: one list of ``Selection`` per instance (chosen host
    first), or None; ``refusal``: the ``NoValidHost`` otherwise;
    ``explanation``: ``[(title, lines)]`` when asked for; ``timings``:
    the request's ``timings_text()``.
    """

    selections: list | None = None
    refusal: exception.NoValidHost | None = None
    explanation: list = dataclasses.field(default_factory=list)
    timings: str = ''


@dataclasses.dataclass
class CapacityCount:
    """A capacity count: how many instances fit, and how it was made.

    ``hosts``: ``(host, node, instances)`` best first (see
    ``scheduler.cycle.capacity.Capacity``). ``offered``: hosts in
    Placement's answer; ``candidates``: allocation requests in it,
    ``limit`` the query's (equal: the answer may have been cut);
    ``passed``: hosts that passed the filters for one instance;
    ``filtered``: that filter run's reason; ``stopped``: why the count
    stopped early, if it did; ``refusal``: the NoValidHost when
    Placement offered nothing.
    """

    hosts: list = dataclasses.field(default_factory=list)
    total: int = 0
    offered: int = 0
    candidates: int = 0
    limit: int = 0
    passed: int = 0
    filtered: str = ''
    stopped: str | None = None
    seconds: float = 0.0
    refusal: exception.NoValidHost | None = None


class _ThreadLines:
    """An ``Explainer`` listener keeping the lines of one thread only.

    The driver's explainer serves every request of the worker; the lines
    of this request are those emitted by the thread running it.
    """

    def __init__(self):
        self.thread = threading.get_ident()
        self.lines = []

    def __call__(self, title, lines):
        if threading.get_ident() == self.thread:
            self.lines.append((title, list(lines)))


class DryRun:
    """The dry runs, mixed into ``FilterScheduler`` (uses its steps)."""

    def plan_destinations(self, context, spec, count, explain_hosts=False):
        """Where ``count`` instances of ``spec`` would go now; a ``Plan``.

        Claims nothing (``Request.dry_run``); a refusal is returned, not
        raised.
        """
        request = cycle_request.Request(
            spec, None, True, context=context, explainer=self.explainer,
            dry_run=True)
        request.count = count
        listener = _ThreadLines() if explain_hosts else None
        if listener is not None:
            self.explainer.add_listener(listener)
        plan = Plan()
        try:
            self._facts_before_request()
            plan.selections = self._cycle(request)
        except (exception.NoValidHost, exception.PlacementError) as e:
            plan.refusal = exception.no_valid_host(e)
        finally:
            if listener is not None:
                self.explainer.remove_listener(listener)
                plan.explanation = listener.lines
        plan.timings = request.timings_text()
        return plan

    def plan_capacity(self, context, spec, limit, max_per_host, seconds):
        """How many more instances of ``spec`` fit; a ``CapacityCount``.

        :param limit: the ``limit`` of the one Placement query.
        :param max_per_host: stop counting a host there.
        :param seconds: stop counting after that long.
        """
        start = time.monotonic()
        request = cycle_request.Request(spec, context=context, dry_run=True)
        result = CapacityCount(limit=limit)
        # The handler's own filters, explaining nothing: a count runs
        # them once per instance per host.
        quiet = filter_handler.FilterHandler(
            self.conf, filters=self.filters.filters,
            explainer=explain.Explainer(False))
        try:
            self._facts_before_request()
            host_set = self._host_states(request, limit=limit)
            result.offered = len(host_set)
            result.candidates = len(request.candidates.allocation_requests)
            counted = capacity.count(request, quiet, max_per_host,
                                     start + seconds)
        except (exception.NoValidHost, exception.PlacementError) as e:
            result.refusal = exception.no_valid_host(e)
            result.seconds = time.monotonic() - start
            return result
        result.total = counted.total
        result.passed = int(counted.first_trace.passed)
        result.filtered = counted.first_trace.reason()
        result.stopped = counted.stopped
        order = sorted((i for i in range(len(host_set))
                        if counted.counts[i]),
                       key=lambda i: (-counted.counts[i],
                                      host_set.host_names[i]))
        result.hosts = [(host_set.host_names[i], host_set.node_names[i],
                         int(counted.counts[i])) for i in order]
        result.seconds = time.monotonic() - start
        return result
