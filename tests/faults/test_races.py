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

"""500 concurrent requests from several clients for room for exactly 300.

Two scheduler-server processes of two workers each share the topic queue;
four RPC clients on two connections send 500 one-instance requests at
once. Placement must let exactly 300 claims through: 300 callers succeed,
200 get NoValidHost, usages (sampled all along) never exceed capacity x
allocation ratio, and Placement holds nothing that no answer accounts for.
"""

import uuid

import pytest

from scheduler.rpc import transport
from scheduler.sim import cloud
from scheduler.sim import rpc_client
from tests.faults import checks
from tests.faults import matrix
from tests.functional import helpers
from tests.functional import test_races as functional_races
from tests.nova_compat import placement_process

# A loser of a race tries every host it was offered before NoValidHost:
# few big hosts keep the test short.
HOSTS = 6
# 25 VCPUs at 2.0: 50 one-VCPU instances a host, 300 in all.
VCPUS, VCPU_RATIO = 25, 2.0
FITS = HOSTS * int(VCPUS * VCPU_RATIO)
REQUESTS = 500


def race_hosts():
    return [cloud.Host(
        name='race-%02d' % n,
        uuid=str(uuid.uuid5(uuid.NAMESPACE_DNS, 'race-%02d' % n)),
        inventory={
            'VCPU': {'total': VCPUS, 'allocation_ratio': VCPU_RATIO},
            'MEMORY_MB': {'total': 65536, 'allocation_ratio': 1.0},
            'DISK_GB': {'total': 2000, 'allocation_ratio': 1.0}},
        traits=[]) for n in range(1, HOSTS + 1)]


class UsageWatcher(functional_races.UsageWatcher):
    """Samples usages four times a second.

    Often enough to see any peak, without taking much of Placement's
    time from the race.
    """

    def _run(self):
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(0.25)


@pytest.fixture(scope='module')
def placement(tmp_path_factory):
    # In a process of its own: in this one it would share the GIL with
    # the 500 callers' threads.
    process = placement_process.PlacementProcess(
        str(tmp_path_factory.mktemp('race-placement')))
    process.start()
    yield process
    process.stop()


def test_500_requests_for_300_slots(placement, broker, server_factory,
                                    rpc_transport):
    hosts = race_hosts()
    cloud.create_hosts(placement.endpoint, hosts)
    # Straight to Placement, with time to queue for it: this row is about
    # races, not about the test Placement (one sqlite, one lock) being
    # slower than a real one under 500 requests.
    procs = [server_factory(host=name, workers=2,
                            endpoint=placement.endpoint,
                            extra_conf={'placement': {'timeout': 120}})
             for name in ('sched-race-a', 'sched-race-b')]
    other = transport.get_transport(rpc_transport.conf,
                                    url=broker.transport_url)
    try:
        clients = [rpc_client.SchedulerClient(t, timeout=600)
                   for t in (rpc_transport, other) for _ in range(2)]
        with UsageWatcher(placement) as watcher:
            outcomes = checks.call_concurrently(clients, REQUESTS,
                                                threads=REQUESTS)
    finally:
        other.cleanup()

    over = checks.overcommitted(placement, hosts, watcher.peak)
    row = matrix.record(matrix.Row(
        fault='race: %d requests, room for %d, 2x2 workers'
        % (REQUESTS, FITS),
        requests=len(outcomes), succeeded=sum(o.ok for o in outcomes),
        no_valid_host=sum(o.refusal is not None for o in outcomes),
        errors=sum(o.error is not None for o in outcomes),
        leaked=(checks.leaked(placement, outcomes) +
                checks.orphans(placement, outcomes)),
        overcommit=over, slowest=max(o.seconds for o in outcomes)))
    row.alive = all(p.process.poll() is None for p in procs)
    refusals = [o.refusal.reason for o in outcomes if o.refusal]

    assert [o.error for o in outcomes if o.error] == []
    assert (row.succeeded, row.no_valid_host) == (FITS, REQUESTS - FITS), (
        refusals[:5])
    assert watcher.samples > 1
    assert row.overcommit == 0
    assert row.leaked == 0
    assert helpers.total_usage(placement, 'VCPU') == FITS
    # Refused for want of room, never for a broken Placement.
    assert not [r for r in refusals if 'Placement unreachable' in r or
                'Placement timed out' in r or 'server error' in r]
    assert row.alive
