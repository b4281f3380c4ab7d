"""The driver's one door to Placement: a thin bridge to scheduler.placement.

The driver calls ``query``, ``candidates``, ``names``, ``claim`` and
``release`` on a collaborator; this is the real one. Tests give the driver
a fake with the same five methods.
"""

from scheduler.placement import candidates as placement_candidates
from scheduler.placement import claims
from scheduler.placement import client as placement_client
from scheduler.placement import providers
from scheduler.placement import translation


class PlacementAdapter:
    """Placement calls of one scheduler process, configured from ``conf``."""

    def __init__(self, conf, client=None):
        self._conf = conf
        self._client = (client if client is not None
                        else placement_client.PlacementClient(conf))
        self._names = providers.ProviderNames(self._client)

    def query(self, spec):
        """The ``GET /allocation_candidates`` query of ``spec``."""
        return translation.build_query(
            spec, limit=self._conf.scheduler.max_placement_results)

    def candidates(self, query):
        """``Candidates`` for ``query``; raises PlacementError."""
        return placement_candidates.get_allocation_candidates(
            self._client, query)

    def names(self, uuids):
        """``{uuid: name}`` of providers ``uuids`` (unknown ones absent)."""
        return self._names.lookup(uuids)

    def claim(self, consumer_uuid, allocation_request, project_id, user_id,
              version):
        """Claim ``allocation_request`` for a new consumer.

        ``version`` is that of the allocation request; the claim itself is
        written at the newest microversion ``claims`` knows (so that it
        carries ``consumer_type`` where Placement takes it).

        :raises: ClaimConflict when the host has no room any more,
            PlacementError for any other failure.
        """
        claims.claim(
            self._client, consumer_uuid, allocation_request, project_id,
            user_id, version=None,
            attempts=self._conf.scheduler.claim_attempts,
            retry_delay=self._conf.scheduler.claim_retry_delay)

    def release(self, consumer_uuid):
        """Remove every allocation of ``consumer_uuid``."""
        claims.release(self._client, consumer_uuid)
