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

"""The ``filter_scheduler`` driver: runs the scheduling cycle.

``select_destinations`` is the cycle of ``scheduler.cycle``, step by step:
query -> candidates -> host states -> (filter -> weigh -> rank -> claim)
per instance -> select. The driver holds what outlives a request: the
Placement adapter, the loaded filters and weighers, the random generator,
the releases to retry and the fact table the next request starts from.

If an instance cannot be placed, the claims made for the earlier
instances of the request are released before ``NoValidHost`` is raised. A
Placement failure in any step becomes ``NoValidHost`` here, and only here,
naming the failure and the step.
"""

import collections
import threading
import time

import numpy as np
from oslo_log import log as logging

from scheduler.cycle import candidates as candidates_step
from scheduler.cycle import claim as claim_step
from scheduler.cycle import diagnose
from scheduler.cycle import filter as filter_step
from scheduler.cycle import host_states as host_states_step
from scheduler.cycle import query as query_step
from scheduler.cycle import rank as rank_step
from scheduler.cycle import rebuild
from scheduler.cycle import request as cycle_request
from scheduler.cycle import select as select_step
from scheduler.cycle import weigh as weigh_step
from scheduler.cycle import widen
from scheduler.drivers import base
from scheduler.drivers import dry_run
from scheduler.drivers import releases
from scheduler import exception
from scheduler.filters import explain
from scheduler.filters import handler as filter_handler
from scheduler.host_facts import health
from scheduler.host_state import builder
from scheduler.observe import metrics
from scheduler.placement import adapter as placement_adapter
from scheduler.placement import diagnosis_text
from scheduler.weighers import handler as weight_handler

LOG = logging.getLogger(__name__)


class FilterScheduler(dry_run.DryRun, base.Scheduler):
    """Placement candidates, filtered and weighed, claimed best first."""

    def __init__(self, conf=None, placement=None, filters=None,
                 weighers=None, rng=None):
        super().__init__(conf)
        # Prometheus metrics, or a recorder that keeps nothing.
        self.recorder = metrics.recorder_for(self.conf)
        # Where this driver's explanations go (the log, listeners).
        self.explainer = explain.Explainer(
            self.conf.filter_scheduler.explain)
        if filters is None:
            filters = filter_handler.FilterHandler(
                self.conf, explainer=self.explainer)
        if weighers is None:
            weighers = weight_handler.WeightHandler(self.conf)
        self.filters = filters
        self.weighers = weighers
        if placement is None:
            placement = placement_adapter.PlacementAdapter(
                self.conf, explainer=self.explainer, recorder=self.recorder,
                widens=True)
        self.placement = placement
        self.rng = rng if rng is not None else np.random.default_rng()
        self.deferred_releases = releases.DeferredReleases(
            self.placement, self.conf.scheduler.release_retry_interval,
            self.conf.scheduler.release_retry_limit)
        # Why Placement had no candidate, asked only when it had none.
        self.diagnoser = diagnose.Diagnoser(
            self.conf.scheduler.diagnosis_max_queries,
            self.conf.scheduler.max_placement_results,
            reuse_seconds=self.conf.scheduler.diagnosis_reuse_seconds,
            concurrency=self.conf.scheduler.diagnosis_concurrency)
        # Placement failures by kind, since the process started.
        self.placement_failures = collections.Counter()
        self._lock = threading.Lock()
        # The last request's host states, which the next one starts from.
        self._memory = builder.Memory(
            self.conf.scheduler.remembered_answers)

    def fact_readers(self):
        return health.fact_readers(self.filters.filters)

    def stop(self):
        """The process stops: no more retries of failed releases."""
        self.deferred_releases.stop()
        self.diagnoser.stop()

    def select_destinations(self, context, spec, instance_uuids=None,
                            return_alternates=False, on_candidates=None):
        started = time.perf_counter()
        request = cycle_request.Request(
            spec, instance_uuids, return_alternates, context=context,
            explainer=self.explainer, on_candidates=on_candidates)
        error = None
        try:
            return self._select(request)
        except BaseException as e:
            # A Placement failure reaches the caller as NoValidHost; the
            # metrics count the failure it is.
            cause = e.__cause__
            error = (cause if isinstance(cause, exception.PlacementError)
                     else e)
            raise
        finally:
            self.recorder.request_done(
                request, time.perf_counter() - started, error)

    def _select(self, request):
        limit = self.conf.scheduler.max_instances_per_request
        if request.count > limit:
            raise exception.NoValidHost(
                'the request asks for %d instances; at most %d are allowed '
                '([scheduler] max_instances_per_request)'
                % (request.count, limit))
        self._facts_before_request()
        try:
            try:
                if request.is_rebuild:
                    return rebuild.check(
                        request, self.placement, self.filters,
                        self.host_facts, self.conf, self._memory)
                return self._cycle(request)
            except BaseException:
                self._undo_claims(request)
                raise
        except exception.PlacementError as e:
            raise self._placement_failed(e, request.step) from e
        finally:
            # The text is built only when it is logged.
            if LOG.isEnabledFor(logging.DEBUG):
                LOG.debug('Request %(id)s took %(timings)s',
                          {'id': request.request_id or '-',
                           'timings': request.timings_text()})

    def _facts_before_request(self):
        """Let the host-facts sources re-read what is due (if any)."""
        if self.host_facts is not None:
            self.host_facts.before_request()

    def _cycle(self, request):
        return widen.run(request, self._attempt, self._undo_claims,
                         self.conf.scheduler.max_placement_results)

    def _undo_claims(self, request):
        claim_step.undo(request, self.placement, self.deferred_releases)

    def _attempt(self, request, limit=None):
        self._host_states(request, limit)
        for index in range(request.count):
            indices = filter_step.run(request, self.filters, index)
            weights = weigh_step.run(request, self.weighers, indices, index)
            order = rank_step.run(request, indices, weights,
                                  self.conf.filter_scheduler, self.rng)
            try:
                claim_step.claim(request, self.placement, order, index,
                                 self.conf.scheduler.max_claim_conflicts)
            except exception.NoValidHost as e:
                raise weigh_step.top_weighed(e, request, self.weighers,
                                             indices) from e
        return select_step.selections(request, self.filters,
                                      self.conf.scheduler.max_attempts)

    def _host_states(self, request, limit=None):
        """Steps query, candidates and host states of ``request``.

        ``limit``, if given, replaces the query's (a capacity count).
        """
        query_step.build(request, self.placement, self.host_facts)
        if limit is not None:
            request.query.limit = limit
        candidates_step.fetch(request, self.placement, self.diagnoser)
        # What the caller reads of the query: no provider or aggregate.
        return host_states_step.build(
            request, self.placement, self.host_facts, self.conf,
            self._memory,
            described=diagnosis_text.describe(request.query))

    def _placement_failed(self, error, step):
        # The Placement client logged the failure at ERROR already.
        with self._lock:
            self.placement_failures[error.kind] += 1
        LOG.info('No valid host: Placement %(kind)s during %(step)s',
                 {'kind': error.kind, 'step': step})
        return exception.no_valid_host(error)
