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

"""The driver's one door to Placement.

The steps of ``scheduler.cycle`` call ``query``, ``candidates``,
``current_state``, ``names``, ``claim``, ``restore``, ``release`` and
``release_if_unchanged`` on a collaborator the driver holds; this is the
real one. Tests give the driver a fake with the same methods. A failed
call raises a ``PlacementError``, which the driver words.

``query`` is where a request becomes the ``GET /allocation_candidates``
query: translation (``scheduler.placement.translation``), the destination
node as ``in_tree``, then the request filters. A malformed request or a
filter that refuses raises ``NoValidHost`` naming why, before any
allocation candidates call. The query's ``limit`` is ``[scheduler]
max_placement_results``, or the smaller one of ``[scheduler]
placement_results_per_instance`` (``scheduler.placement.limits``) for a
driver that asks again at the full limit before it refuses
(``widens``, see ``scheduler.cycle.widen``).
"""

from urllib import parse

from oslo_log import log as logging

from scheduler import exception
from scheduler.observe import metrics
from scheduler.placement import candidates as placement_candidates
from scheduler.placement import claims
from scheduler.placement import client as placement_client
from scheduler.placement import limits
from scheduler.placement import providers
from scheduler.placement import translation
from scheduler.placement import versions
from scheduler.request_filters import handler as request_filters

LOG = logging.getLogger(__name__)


class PlacementAdapter:
    """Placement calls of one scheduler process, configured from ``conf``."""

    def __init__(self, conf, client=None, request_filter_handler=None,
                 explainer=None, recorder=None, widens=False):
        """``widens``: the caller runs ``scheduler.cycle.widen``.

        Only then is a query's limit scaled to its request
        (``[scheduler] placement_results_per_instance``): a cut answer
        whose hosts are all refused must be asked again in full, never
        refused (fail closed).
        """
        self._conf = conf
        self.widens = widens
        self._warned = False
        # Counts claim conflicts and retries (scheduler.observe.metrics).
        self._recorder = recorder if recorder is not None else metrics.NULL
        self._client = (client if client is not None
                        else placement_client.PlacementClient(conf))
        self._names = providers.ProviderNames(self._client)
        # The last answer, which the next one is decoded from.
        self._answers = placement_candidates.new_memory(
            conf.scheduler.remembered_answers)
        if request_filter_handler is None:
            request_filter_handler = request_filters.RequestFilterHandler(
                conf)
        self.request_filters = request_filter_handler
        self.explainer = explainer

    def query(self, spec, host_facts=None):
        """The ``GET /allocation_candidates`` query of ``spec``.

        :param host_facts: what request filters read aggregates from.
        :raises: NoValidHost (a malformed request, an unknown destination
            node, a request filter's refusal), PlacementError (looking up
            the destination node).
        """
        try:
            query = translation.build_query(spec, limit=self.limit(spec))
            self._target(spec, query)
            self.request_filters.run(spec, query, host_facts)
        except exception.InvalidRequest as e:
            raise exception.no_valid_host(e)
        if LOG.isEnabledFor(logging.DEBUG):
            LOG.debug('Allocation candidates query at %(version)s for '
                      'flavor %(flavor)s: %(query)s',
                      {'version': query.microversion,
                       'flavor': spec.flavor.name,
                       'query': query.to_query_string()})
        if self.explainer is not None and self.explainer.has_listeners:
            # scheduler-sim --explain shows the exact query sent.
            self.explainer.tell_listeners(
                'Placement query for flavor %s (microversion %s)'
                % (spec.flavor.name, query.microversion),
                [query.to_query_string()])
        return query

    def limit(self, spec):
        """The ``limit`` of the allocation candidates query of ``spec``."""
        full = self._conf.scheduler.max_placement_results
        per_instance = self._conf.scheduler.placement_results_per_instance
        if not per_instance:
            return full
        if not self.widens:
            if not self._warned:
                self._warned = True
                LOG.warning('[scheduler] placement_results_per_instance '
                            'is ignored: this driver does not ask again '
                            'with max_placement_results when no host of a '
                            'cut answer passes, and would refuse requests '
                            'while capacity exists')
            return full
        return limits.scaled(full, per_instance,
                             limits.instance_count(spec))

    def _target(self, spec, query):
        """A requested (or forced) node becomes ``in_tree``, as in Nova.

        A host without a node may have several nodes: the limit goes, so
        that none of them is cut from the candidates.
        """
        dest = spec.requested_destination
        node = (dest.node if dest is not None else None) or (
            spec.force_nodes[0] if spec.force_nodes else None)
        host = (dest.host if dest is not None else None) or (
            spec.force_hosts[0] if spec.force_hosts else None)
        if not node:
            if host:
                query.limit = None
            return
        query.unsuffixed.in_tree = self._provider_named(node, host)

    def _provider_named(self, node, host):
        """The uuid of the provider of node ``node``; NoValidHost if none."""
        body = self._client.get(
            '/resource_providers?' + parse.urlencode({'name': node}),
            versions.FEATURES['provider_tree'])
        found = [rp['uuid'] for rp in
                 (body or {}).get('resource_providers') or []]
        if not found:
            # The names are the operator's; the caller reads a count.
            detail = ('No such host - host: %s node: %s (Placement has no '
                      'resource provider named %s)' % (host, node, node))
            LOG.info('%s', detail)
            raise exception.NoValidHost(
                'No such host - the 1 requested node has no resource '
                'provider in Placement', detail=detail)
        return found[0]

    def current_state(self, spec):
        """``Candidates`` of the requested node alone, as it is: a rebuild.

        Nova checks a rebuild on the instance's current host without
        asking Placement for room (the instance holds its allocation
        there already) and claims nothing. Its host manager reads the node
        from its database; this reads the provider's inventory, usage and
        traits (GETs only). The one allocation request is empty.

        :raises: NoValidHost (no such node), PlacementError.
        """
        host, node = _rebuild_target(spec)
        if not node:
            raise exception.NoValidHost(
                'invalid request: a rebuild check names no host')
        version = versions.FEATURES['provider_tree']
        uuid = self._provider_named(node, host)
        base = '/resource_providers/%s' % uuid
        inventories = (self._client.get(base + '/inventories', version)
                       or {}).get('inventories') or {}
        usages = (self._client.get(base + '/usages', version)
                  or {}).get('usages') or {}
        traits = (self._client.get(base + '/traits', version)
                  or {}).get('traits') or []
        resources = {
            rc: placement_candidates.Inventory(
                capacity=int((inv.get('total', 0) - inv.get('reserved', 0)) *
                             inv.get('allocation_ratio', 1.0)),
                used=usages.get(rc, 0))
            for rc, inv in inventories.items()}
        summary = placement_candidates.ProviderSummary(
            resources=resources, traits=traits, root_provider_uuid=uuid)
        return placement_candidates.Candidates(
            allocation_requests=[{'allocations': {uuid: {'resources': {}}}}],
            provider_summaries={uuid: summary}, version=version)

    def candidates(self, query, global_request_id=None):
        """``Candidates`` for ``query``; raises PlacementError.

        PlacementTooOld names the features of the query that the server's
        microversion lacks. ``global_request_id``: the caller's request
        id, for a call made outside the thread serving the request.
        """
        return placement_candidates.get_allocation_candidates(
            self._client, query, global_request_id=global_request_id,
            memory=self._answers)

    def names(self, uuids):
        """A ``{uuid: name}`` mapping answering for providers ``uuids``.

        Unknown ones are absent; it may hold other providers too, and must
        not be modified.
        """
        return self._names.lookup(uuids)

    def claim(self, consumer_uuid, allocation_request, project_id, user_id,
              version, move=True, foreign=()):
        """Claim ``allocation_request`` for ``consumer_uuid``.

        :returns: None, or the allocations the consumer held before (a
            move: both are claimed, as Nova does for an evacuation).

        ``version`` is that of the allocation request; the claim itself is
        written at the newest microversion ``claims`` knows (so that it
        carries ``consumer_type`` where Placement takes it).

        ``move``: whether allocations the consumer holds already are a
        move's source; ``foreign``: providers a move's source does not
        hold (see ``claims.claim``).

        :raises: ClaimConflict when the host has no room any more
            (ConsumerHoldsClaim: the consumer holds a claim and this is no
            move), PlacementError for any other failure.
        """
        try:
            return claims.claim(
                self._client, consumer_uuid, allocation_request, project_id,
                user_id, version=None,
                attempts=self._conf.scheduler.claim_attempts,
                retry_delay=self._conf.scheduler.claim_retry_delay,
                on_retry=self._recorder.claim_retried, move=move,
                foreign=foreign)
        except exception.ClaimConflict:
            self._recorder.claim_conflict()
            raise

    def restore(self, consumer_uuid, previous, project_id, user_id):
        """Undo a move claim: the consumer holds ``previous`` again."""
        claims.restore(self._client, consumer_uuid, previous, project_id,
                       user_id)

    def release(self, consumer_uuid):
        """Remove every allocation of ``consumer_uuid``."""
        claims.release(self._client, consumer_uuid)

    def release_if_unchanged(self, consumer_uuid, allocations):
        """Remove them only if they are still ``allocations``.

        :returns: ``claims.RELEASED``, ``ABSENT`` or ``CHANGED``.
        """
        return claims.release_if_unchanged(self._client, consumer_uuid,
                                           allocations)


def _rebuild_target(spec):
    """(host, node) a rebuild check is about.

    Nova's API names the instance's host and node in ``force_hosts`` and
    ``force_nodes``; a ``requested_destination`` names them too.
    """
    dest = spec.requested_destination
    host = next(iter(spec.force_hosts), None) or (
        dest.host if dest is not None else None)
    node = next(iter(spec.force_nodes), None) or (
        dest.node if dest is not None else None)
    return host, node or host
