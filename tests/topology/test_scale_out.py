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

"""2,000 concurrent requests for room for 1,200 on the production topology.

Three scheduler-server processes of two workers each share the
``scheduler`` topic on a three-node RabbitMQ cluster (quorum queues);
four client processes, each with its own transport, send 2,000
one-instance requests as fast as their thread pools allow. Placement on
PostgreSQL does not serialise writes as sqlite does, so Placement's
generations alone must keep every claim within capacity: exactly 1,200
placed, 800 refused for want of room, every call answered, and Placement
holding exactly what the answers say.
"""

from scheduler.sim import cloud
from tests.topology import audit
from tests.topology import rows
from tests.topology import scenario

REQUESTS = 2000
HOSTS, HOST_VCPUS = 60, 20
ROOM = HOSTS * HOST_VCPUS


def test_2000_requests_for_1200_places_exactly_1200(
        placement, schedulers, broker, client):
    hosts = audit.make_hosts(HOSTS, HOST_VCPUS)
    cloud.create_hosts(placement.endpoint, hosts)

    answers, _ = scenario.run(broker, REQUESTS)

    found = audit.audit(placement.endpoint, hosts, answers)
    # Room for one more: the service still places it.
    freed = next(a for a in answers if a.placed)
    cloud.placement_adapter(placement.endpoint).delete(
        '/allocations/%s' % freed.consumer)
    after = scenario.probe(client)
    row = rows.record(
        '%d requests for room for %d, 4 clients, 3x2 workers'
        % (REQUESTS, ROOM), answers, found, after.placed)
    refusals = [a.refusal for a in answers if a.refusal]

    assert row.requests == REQUESTS
    assert (row.clear_errors, row.unexplained) == (0, 0), [
        a.error for a in answers if a.error][:5]
    assert (row.placed, row.no_valid_host) == (ROOM, REQUESTS - ROOM), (
        refusals[:5])
    assert row.overcommit == 0
    assert row.leaked == 0, found
    # Refused for want of room, never for a broken Placement.
    assert not [r for r in refusals if audit.names_placement_failure(r)]
    assert row.served_after, after
