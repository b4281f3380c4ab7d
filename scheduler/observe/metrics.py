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

"""The recorder the driver calls, and the metric families it fills.

The driver calls ``request_done(request, seconds, error)`` once per
``select_destinations``: the outcome, the steps' timings, the refusal's
stage, the Placement failure's kind and the candidates are all read from
the ``scheduler.cycle.request.Request`` then. The Placement adapter calls
``claim_conflict()`` when Placement refuses a claim for capacity and
``claim_retried()`` when a claim is written again after
``placement.concurrent_update``. Each worker's publisher thread
(``scheduler.observe.publisher``) calls ``flush()`` every second, which
writes what was recorded, and ``publish_health()``.

``NULL`` records nothing: it is what every process gets unless
scheduler-server set up the exporter (``scheduler.observe.exporter``), so
a request pays one empty method call when metrics are off; when they are
on, it queues one record and the publisher writes it. The families
are created on first use, in the worker, so the parent process (which
builds a driver to check the plugins load) writes no metric file.
"""

import collections
import os
import threading

from oslo_log import log as logging

from scheduler import exception
from scheduler.host_facts import base as facts_base
from scheduler.observe import batch

LOG = logging.getLogger(__name__)

# prometheus_client's multiprocess mode is on when this is set.
MULTIPROC_DIR_ENV = 'PROMETHEUS_MULTIPROC_DIR'

# The ``result`` of a request.
PLACED = 'placed'
NO_VALID_HOST = 'no_valid_host'
ERROR = 'error'

# The ``stage`` of a NoValidHost.
STAGE_REQUEST = 'request_invalid'
STAGE_PLACEMENT = 'placement_empty'
STAGE_HOST_STATES = 'host_states'
STAGE_FILTER = 'filter'
STAGE_CLAIM = 'claim'

_STAGE_OF_STEP = {None: STAGE_REQUEST, 'query': STAGE_REQUEST,
                  'candidates': STAGE_PLACEMENT,
                  'diagnosis': STAGE_PLACEMENT,
                  'host states': STAGE_HOST_STATES,
                  'filter': STAGE_FILTER, 'claim': STAGE_CLAIM}

DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                    0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
STEP_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
CANDIDATE_BUCKETS = (0, 1, 5, 10, 50, 100, 500, 1000, 5000, 10000)
# A host-facts source's states (``state`` label).
HEALTH_STATES = (facts_base.OK, facts_base.STALE, facts_base.FAILED)


def stage_of(request):
    """``(stage, filter)`` of a NoValidHost, from the step it came from.

    ``filter`` names the filter that emptied the host list (stage
    ``filter``), else is empty. A rebuild check that names no known node
    fails in its ``candidates`` step without a query: ``request_invalid``.
    """
    step = request.step if request is not None else None
    stage = _STAGE_OF_STEP.get(step, (step or '').replace(' ', '_'))
    if stage == STAGE_PLACEMENT and request.query is None:
        return STAGE_REQUEST, ''
    if stage == STAGE_FILTER:
        trace = request.trace
        return stage, (trace.emptied_by or '') if trace is not None else ''
    return stage, ''


def kind_label(error):
    """``PlacementError.kind`` as a label: ``timed out`` -> ``timed_out``."""
    return error.kind.replace(' ', '_')


class Recorder:
    """What the cycle reports; this one keeps nothing (metrics are off)."""

    enabled = False

    def request_done(self, request, seconds, error=None):
        """A ``select_destinations`` ended after ``seconds``.

        :param request: its ``scheduler.cycle.request.Request``.
        :param error: None (placed), the ``NoValidHost``, the
            ``PlacementError`` (before the driver words it as a
            NoValidHost) or any other exception it ended with.
        """

    def claim_conflict(self):
        """Placement refused a claim for capacity (the next host is tried)."""

    def claim_retried(self):
        """A claim is written again after ``placement.concurrent_update``."""

    def flush(self):
        """Write what was recorded since the last call (a thread calls it)."""

    def publish_health(self, health, pending_releases):
        """This worker's host-facts sources and deferred releases now.

        :param health: ``[scheduler.host_facts.base.Health]``.
        :param pending_releases: how many failed releases wait for a retry.
        """


NULL = Recorder()


class Families:
    """The metric families of one process (``registry``: for tests)."""

    def __init__(self, registry=None):
        # Imported here: nothing is imported while metrics are off.
        import prometheus_client as prom

        def histogram(name, doc, labels, buckets):
            return prom.Histogram(name, doc, labels, buckets=buckets,
                                  registry=registry)

        def counter(name, doc, labels=()):
            return prom.Counter(name, doc, labels, registry=registry)

        def gauge(name, doc, labels, mode):
            return prom.Gauge(name, doc, labels, registry=registry,
                              multiprocess_mode=mode)

        self.request_duration = histogram(
            'scheduler_request_duration_seconds',
            'Duration of select_destinations, by result (placed, '
            'no_valid_host, error: a Placement failure or a bug).',
            ['result'], DURATION_BUCKETS)
        self.step_duration = histogram(
            'scheduler_step_duration_seconds',
            'Seconds one request spent in a step of the scheduling cycle '
            '(summed over the instances of a multi-create).',
            ['step'], STEP_BUCKETS)
        self.no_valid_host = counter(
            'scheduler_no_valid_host_total',
            'Requests refused with NoValidHost, by the stage that refused '
            'them (and the filter that left no host).', ['stage', 'filter'])
        self.placement_errors = counter(
            'scheduler_placement_errors_total',
            'Requests that failed because a Placement call failed, by '
            'kind of failure.', ['kind'])
        self.claim_conflicts = counter(
            'scheduler_claim_conflicts_total',
            'Claims Placement refused for capacity (the next host was '
            'tried).')
        self.claim_retries = counter(
            'scheduler_claim_retries_total',
            'Claims written again after placement.concurrent_update.')
        self.candidates = histogram(
            'scheduler_allocation_candidates',
            'Allocation requests Placement returned per request.',
            [], CANDIDATE_BUCKETS)
        self.candidates_truncated = counter(
            'scheduler_allocation_candidates_truncated_total',
            'Answers that reached their query\'s limit ([scheduler] '
            'max_placement_results, or less with '
            'placement_results_per_instance): Placement may have had '
            'more.')
        self.host_facts_age = gauge(
            'scheduler_host_facts_age_seconds',
            'Age of a host-facts source\'s data (the oldest over the '
            'workers).', ['source'], 'livemax')
        self.host_facts_state = gauge(
            'scheduler_host_facts_state',
            'Workers whose host-facts source is in this state (ok, stale, '
            'failed).', ['source', 'state'], 'livesum')
        self.deferred_releases = gauge(
            'scheduler_deferred_releases_pending',
            'Claims whose release failed, waiting for a retry (all '
            'workers).', [], 'livesum')


class PrometheusRecorder(Recorder):
    """Records into ``Families`` (built on first use, in this process).

    A request only queues one record (a few microseconds, see
    ``scheduler.observe.batch``); ``flush()``, called every second by the
    worker's publisher thread, writes what was queued.
    """

    enabled = True

    def __init__(self, registry=None):
        self._registry = registry
        self._families = None
        self._lock = threading.Lock()
        self._pending = []
        self._conflicts = 0
        self._retries = 0
        # Label children, looked up once: labels() takes a lock.
        self._children = {}

    @property
    def families(self):
        if self._families is None:
            with self._lock:
                if self._families is None:
                    self._families = Families(self._registry)
        return self._families

    def _child(self, metric, labels):
        key = (id(metric), labels)
        child = self._children.get(key)
        if child is None:
            child = metric.labels(*labels) if labels else metric
            self._children[key] = child
        return child

    def request_done(self, request, seconds, error=None):
        try:
            record = self._record(request, seconds, error)
        except Exception:
            # Metrics never fail a request.
            LOG.exception('Could not record the metrics of a request')
            return
        with self._lock:
            self._pending.append(record)

    @staticmethod
    def _record(request, seconds, error):
        stage = name = kind = None
        if error is None:
            result = PLACED
        elif isinstance(error, exception.NoValidHost):
            result = NO_VALID_HOST
            stage, name = stage_of(request)
        else:
            result = ERROR
            if isinstance(error, exception.PlacementError):
                kind = kind_label(error)
        timings = offered = limit = None
        if request is not None:
            timings = tuple(request.timings.items())
            query = request.query
            if query is not None:
                limit = query.limit
                if stage == STAGE_PLACEMENT:
                    offered = 0
                elif request.candidates is not None:
                    offered = len(request.candidates.allocation_requests)
        return (result, seconds, stage, name, kind, timings, offered,
                limit)

    def claim_conflict(self):
        with self._lock:
            self._conflicts += 1

    def claim_retried(self):
        with self._lock:
            self._retries += 1

    def flush(self):
        """Write what the requests since the last flush recorded."""
        with self._lock:
            pending, self._pending = self._pending, []
            conflicts, self._conflicts = self._conflicts, 0
            retries, self._retries = self._retries, 0
        if not (pending or conflicts or retries):
            return
        f = self.families
        out = batch.Batch()
        out.inc(f.claim_conflicts, amount=conflicts)
        out.inc(f.claim_retries, amount=retries)
        steps = collections.defaultdict(list)
        for (result, seconds, stage, name, kind, timings, offered,
             limit) in pending:
            out.observe(f.request_duration, (result,), seconds)
            if stage is not None:
                out.inc(f.no_valid_host, (stage, name))
            if kind is not None:
                out.inc(f.placement_errors, (kind,))
            for step, spent in timings or ():
                steps[step].append(spent)
            if offered is not None:
                out.observe(f.candidates, (), offered)
                if limit and offered >= limit:
                    out.inc(f.candidates_truncated)
        for step, spent in steps.items():
            out.observe_all(f.step_duration, (step.replace(' ', '_'),),
                            spent)
        out.write(self._child)

    def publish_health(self, health, pending_releases):
        f = self.families
        for h in health:
            if h.age is not None:
                self._child(f.host_facts_age, (h.name,)).set(h.age)
            for state in HEALTH_STATES:
                self._child(f.host_facts_state, (h.name, state)).set(
                    1 if h.state == state else 0)
        f.deferred_releases.set(pending_releases)


def recorder_for(conf):
    """The recorder of this process: ``NULL`` unless metrics are kept.

    Metrics are kept when ``[metrics_exporter] listen`` is set and the
    process descends from a scheduler-server that set up the exporter
    (``PROMETHEUS_MULTIPROC_DIR`` is in the environment); another tool
    reading the same configuration (``scheduler-sim``) records nothing.
    """
    # A configuration without the group (a tool's own) keeps nothing.
    group = getattr(conf, 'metrics_exporter', None)
    if group is None or not group.listen:
        return NULL
    if not os.environ.get(MULTIPROC_DIR_ENV):
        LOG.debug('[metrics_exporter] listen is set but this process has '
                  'no exporter: no metrics recorded')
        return NULL
    return PrometheusRecorder()
