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

"""A fake of the driver's Placement collaborator, recording every call."""

from scheduler import exception
from scheduler.placement import claims
from scheduler.placement import query as placement_query
from tests.unit.host_state import fakes


def fake_query(spec):
    """The flavor's resources, as the real query asks them.

    No request filter runs here: the fake answer may hold disabled hosts,
    for ComputeFilter to remove.
    """
    query = placement_query.AllocationCandidatesQuery(limit=1000)
    query.unsuffixed.resources.update(
        VCPU=spec.flavor.vcpus, MEMORY_MB=spec.flavor.memory_mb,
        DISK_GB=spec.flavor.root_gb)
    return query


class FakePlacement:
    """Placement with the hosts given, as ``fakes.make_candidates`` makes.

    ``refuse``: host names whose claims conflict. ``fail``: {step:
    exception} raised by 'candidates', 'names' or 'release';
    ``fail_claim``: {n: exception} raised by the n-th claim call (0-based).
    """

    def __init__(self, hosts, request=None):
        self.candidates_, self.names_ = fakes.make_candidates(hosts, request)
        self.host_of = dict(self.names_)
        self.refuse = set()
        self.fail = {}
        self.fail_claim = {}
        self.claims = {}
        self.claim_calls = []
        self.released = []
        # Every allocation candidates query asked, in order.
        self.queries = []

    def query(self, spec, host_facts=None):
        return fake_query(spec)

    def candidates(self, query, global_request_id=None):
        self.queries.append(query)
        if 'candidates' in self.fail:
            raise self.fail['candidates']
        return self.candidates_

    def names(self, uuids):
        if 'names' in self.fail:
            raise self.fail['names']
        # As the real one: the whole cache, which may hold more providers
        # than asked (here: every provider the fake knows).
        return dict(self.names_)

    def claim(self, consumer_uuid, allocation_request, project_id, user_id,
              version, move=True, foreign=()):
        (rp,) = allocation_request['allocations']
        host = self.host_of[rp]
        self.claim_calls.append((consumer_uuid, host))
        error = self.fail_claim.get(len(self.claim_calls) - 1)
        if error is not None:
            raise error
        if host in self.refuse:
            raise exception.ClaimConflict('no room on %s' % host)
        self.claims[consumer_uuid] = (host, project_id, user_id, version)

    def release(self, consumer_uuid):
        self.released.append(consumer_uuid)
        if 'release' in self.fail:
            raise self.fail['release']
        self.claims.pop(consumer_uuid, None)

    def release_if_unchanged(self, consumer_uuid, allocations):
        """As the real one; a claim here is known by its host."""
        if 'release' in self.fail:
            raise self.fail['release']
        held = self.claims.get(consumer_uuid)
        if held is None:
            return claims.ABSENT
        (rp,) = allocations
        if self.host_of[rp] != held[0]:
            return claims.CHANGED
        del self.claims[consumer_uuid]
        self.released.append(consumer_uuid)
        return claims.RELEASED
