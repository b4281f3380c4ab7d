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

"""The ``filter_scheduler`` driver: one scheduling cycle per request.

Steps, named as in the log lines: query -> candidates -> host states ->
filter -> weigh -> claim -> consume -> alternates -> select.

For each instance of a multi-create the best weighed host's allocation
request is claimed in Placement (on ``ClaimConflict`` the next weighed host
is tried), then consumed locally so the next instance is filtered and
weighed against what is left. If an instance cannot be placed, the claims
made for the earlier instances of the request are released before
``NoValidHost`` is raised; a release that fails is tried again later
(``releases``). With ``instance_uuids=None`` nothing is claimed.
"""

import collections
import threading

import numpy as np
from oslo_log import log as logging

from scheduler.drivers import base
from scheduler.drivers import ranking
from scheduler.drivers import releases
from scheduler import exception
from scheduler.filters import explain
from scheduler.filters import handler as filter_handler
from scheduler.filters import utils as filter_utils
from scheduler.host_state import builder
from scheduler.host_state import columns
from scheduler.objects import selection
from scheduler.placement import adapter as placement_adapter
from scheduler.weighers import handler as weight_handler

LOG = logging.getLogger(__name__)


# What Nova's scheduler says when the filters leave no host; ours goes on
# with why (operators' scripts and Nova's own tests look for the words).
NOT_ENOUGH_HOSTS = 'There are not enough hosts available.'


def _no_host_left(trace):
    return '%s %s' % (NOT_ENOUGH_HOSTS, trace.reason())


class _Claimed:
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


class FilterScheduler(base.Scheduler):
    """Placement candidates, filtered and weighed, claimed best first."""

    def __init__(self, conf=None, placement=None, filters=None,
                 weighers=None, rng=None):
        super().__init__(conf)
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
                self.conf, explainer=self.explainer)
        self.placement = placement
        self.rng = rng if rng is not None else np.random.default_rng()
        self.deferred_releases = releases.DeferredReleases(
            self.placement, self.conf.scheduler.release_retry_interval,
            self.conf.scheduler.release_retry_limit)
        # Placement failures by kind, since the process started.
        self.placement_failures = collections.Counter()
        self._lock = threading.Lock()
        # The last request's fact table, which the next one starts from.
        self._fact_memory = columns.FactTableMemory()

    def _placement_failed(self, error, step):
        # The Placement client logged the failure at ERROR already.
        with self._lock:
            self.placement_failures[error.kind] += 1
        LOG.info('No valid host: Placement %(kind)s during %(step)s',
                 {'kind': error.kind, 'step': step})
        return exception.no_valid_host(error)

    def _host_states(self, spec, on_candidates=None):
        """query -> candidates -> host states; NoValidHost says why not."""
        query = self.placement.query(spec, self.host_facts)
        try:
            candidates = self.placement.candidates(query)
        except exception.PlacementError as e:
            raise self._placement_failed(e, 'candidates')
        if not candidates.allocation_requests:
            raise exception.NoValidHost(
                'Placement returned no allocation candidates for %s'
                % query.to_query_string())
        if on_candidates is not None:
            on_candidates()
        return self._build(candidates, query.to_query_string(),
                           query.root_forbidden)

    def _build(self, candidates, described, root_forbidden=()):
        """candidates -> host states (``described``: what was asked)."""
        grouped = builder.group(candidates)
        try:
            names = self.placement.names(grouped.roots)
        except exception.PlacementError as e:
            raise self._placement_failed(e, 'provider names')
        facts = refused = None
        if self.host_facts is not None:
            self.host_facts.catch_up(
                names[uuid] for uuid in grouped.roots if uuid in names)
            facts = self.host_facts.known_facts()
        host_set = builder.build_host_states(
            candidates, names, self.conf.scheduler.default_cell_uuid,
            facts=facts, default_zone=self.conf.default_availability_zone,
            grouped=grouped, absent_traits=root_forbidden,
            fact_memory=self._fact_memory)
        if self.host_facts is not None:
            refused = self.host_facts.refused(host_set.host_names)
        if refused:
            # Fail closed: hosts a failed host-facts source cannot vouch
            # for are not chosen (the source logged its failure once).
            host_set = host_set.subset(np.fromiter(
                (name not in refused for name in host_set.host_names),
                bool, len(host_set)))
            if not len(host_set):
                raise exception.NoValidHost(
                    'no host can be vouched for: %s'
                    % next(iter(refused.values())))
        if not len(host_set):
            raise exception.NoValidHost(
                'none of the providers Placement returned is a usable host '
                '(no name known) for %s' % described)
        return host_set, candidates.version

    def _rank(self, host_set, spec, eligible, index, count):
        """filter -> weigh: (eligible, host indices best first).

        ``eligible``: the hosts that passed the filters of the earlier
        instances (all when None), including those now full, so that
        NoValidHost counts them (``resources taken by earlier instances
        6->0``, not ``1->0``).
        """
        if eligible is None:
            full = np.zeros(len(host_set), dtype=bool)
        else:
            full = eligible & ~host_set.has_room
        mask, trace = self.filters.run(host_set, spec, eligible, index)
        eligible = mask | full
        indices = np.flatnonzero(mask)
        if not len(indices):
            reason = _no_host_left(trace)
            if count > 1:
                reason = 'instance %d of %d: %s' % (index + 1, count, reason)
            raise exception.NoValidHost(reason)
        if self.explainer.active:
            per_weigher = {}
            weights = self.weighers.weigh(host_set, spec, indices,
                                          per_weigher=per_weigher)
            self.explainer.emit(
                explain.title('weigh', spec, index),
                explain.format_weights(host_set, indices, weights,
                                       per_weigher))
        else:
            weights = self.weighers.weigh(host_set, spec, indices)
        order = ranking.rank_hosts(
            indices, weights,
            subset_size=self.conf.filter_scheduler.host_subset_size,
            shuffle_best=(
                self.conf.filter_scheduler.shuffle_best_same_weighed_hosts),
            rng=self.rng)
        return eligible, order

    def _claim(self, host_set, spec, order, consumer, version, claimed):
        """Claim the first host of ``order`` that Placement accepts."""
        conflicts = no_room = 0
        last = None
        max_conflicts = self.conf.scheduler.max_claim_conflicts
        for i in order:
            if conflicts >= max_conflicts:
                raise exception.NoValidHost(
                    'Placement refused the claim on %d hosts in a row '
                    '([scheduler] max_claim_conflicts): concurrent requests '
                    'took the capacity they showed (last: %s)'
                    % (conflicts, last))
            host = host_set.hosts[i]
            allocation_request = host.fitting_request()
            if allocation_request is None:
                # Only if Placement's summaries contradict its own
                # candidates: fail closed.
                no_room += 1
                continue
            if consumer is None:
                return _Claimed(i, allocation_request, None)
            try:
                previous = self.placement.claim(
                    consumer, allocation_request, spec.project_id,
                    spec.user_id, version)
            except exception.ClaimConflict as e:
                conflicts += 1
                last = e.reason
                LOG.info('Claim of %(consumer)s on %(host)s refused, trying '
                         'the next host: %(reason)s',
                         {'consumer': consumer, 'host': host.host,
                          'reason': e.reason})
                continue
            except exception.PlacementError as e:
                # The claim may have been written before the error (a
                # timeout): release it with the others.
                claimed.append(_Claimed(i, allocation_request, consumer))
                raise self._placement_failed(e, 'claim')
            return _Claimed(i, allocation_request, consumer, previous)
        raise exception.NoValidHost(
            'none of the %d hosts that passed the filters could be claimed: '
            '%d refused by Placement (last: %s), %d without room for the '
            'request in the provider summaries'
            % (len(order), conflicts, last, no_room))

    def _release(self, claimed, spec):
        for claim in claimed:
            if claim.consumer is None:
                continue
            if claim.previous is not None:
                self._restore(claim, spec)
                continue
            try:
                self.placement.release(claim.consumer)
            except exception.PlacementError as e:
                LOG.error('Could not release the claim of %(consumer)s '
                          'after a failed request: Placement %(kind)s: '
                          '%(reason)s', {'consumer': claim.consumer,
                                         'kind': e.kind, 'reason': e.reason})
                self.deferred_releases.add(
                    claim.consumer, claim.allocation_request['allocations'])

    def _restore(self, claim, spec):
        try:
            self.placement.restore(claim.consumer, claim.previous,
                                   spec.project_id, spec.user_id)
        except exception.PlacementError as e:
            # Not retried later: the consumer's allocations then hold the
            # move's destination too, as after a failed evacuation in
            # Nova, until the instance is evacuated again or deleted.
            LOG.error('Could not put back the allocations of %(consumer)s '
                      'after a failed request: Placement %(kind)s: '
                      '%(reason)s', {'consumer': claim.consumer,
                                     'kind': e.kind, 'reason': e.reason})

    def stop(self):
        """The process stops: no more retries of failed releases."""
        self.deferred_releases.stop()

    def _selection(self, host, spec, allocation_request, version):
        return selection.Selection.from_host(
            host, allocation_request, version,
            limits=self.filters.limits(host, spec))

    def _alternates(self, host_set, spec, claim, chosen, order, version):
        wanted = self.conf.scheduler.max_attempts - 1
        cells = host_set.cell_uuids
        cell = cells[claim.index]
        result = []
        for i in order:
            if len(result) >= wanted:
                break
            if i in chosen or cells[i] != cell:
                continue
            host = host_set.hosts[i]
            allocation_request = host.fitting_request()
            if allocation_request is not None:
                result.append(self._selection(host, spec, allocation_request,
                                              version))
        return result

    def _place(self, host_set, spec, uuids, count, version, claimed):
        """Claim and consume a host per instance; the last host order."""
        eligible = order = None
        for index in range(count):
            consumer = uuids[index] if uuids else None
            eligible, order = self._rank(host_set, spec, eligible, index,
                                         count)
            claim = self._claim(host_set, spec, order, consumer, version,
                                claimed)
            claimed.append(claim)
            host_set.consume(claim.index, claim.allocation_request)
            LOG.debug('Selected %(host)s for instance %(index)d of '
                      '%(count)d', {'host': host_set[claim.index].host,
                                    'index': index + 1, 'count': count})
        return order

    def _rebuild_check(self, spec, on_candidates=None):
        """Does the instance's current host suit its rebuild? (Nova's rule)

        No candidates query and no claim: the filters that run on rebuild
        judge the requested host alone; one Selection without an
        allocation request, or NoValidHost.
        """
        try:
            candidates = self.placement.current_state(spec)
        except exception.PlacementError as e:
            raise self._placement_failed(e, 'rebuild check')
        if on_candidates is not None:
            on_candidates()
        host_set, _ = self._build(candidates, 'the rebuild check')
        mask, trace = self.filters.run(host_set, spec)
        if not mask.any():
            raise exception.NoValidHost(_no_host_left(trace))
        index = int(np.flatnonzero(mask)[0])
        return [[self._selection(host_set[index], spec, None, None)]]

    def select_destinations(self, context, spec, instance_uuids=None,
                            return_alternates=False, on_candidates=None):
        # As Nova: no (or an empty list of) instance uuids means a legacy
        # caller; it gets selections for spec.num_instances, unclaimed.
        uuids = list(instance_uuids) if instance_uuids else None
        count = len(uuids) if uuids else max(int(spec.num_instances or 1), 1)
        limit = self.conf.scheduler.max_instances_per_request
        if count > limit:
            raise exception.NoValidHost(
                'the request asks for %d instances; at most %d are allowed '
                '([scheduler] max_instances_per_request)' % (count, limit))
        if self.host_facts is not None:
            self.host_facts.before_request()
        if filter_utils.is_rebuild(spec):
            return self._rebuild_check(spec, on_candidates)
        host_set, version = self._host_states(spec, on_candidates)
        claimed = []
        try:
            order = self._place(host_set, spec, uuids, count, version,
                                claimed)
            chosen = {claim.index for claim in claimed}
            result = []
            for claim in claimed:
                selections = [self._selection(
                    host_set[claim.index], spec, claim.allocation_request,
                    version)]
                if return_alternates:
                    selections += self._alternates(host_set, spec, claim,
                                                   chosen, order, version)
                result.append(selections)
        except BaseException:
            self._release(claimed, spec)
            raise
        return result
