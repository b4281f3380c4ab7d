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

"""Several schedulers against one Placement on PostgreSQL.

Three scheduler-server processes, two workers each, share the
``scheduler`` topic; requests for more instances than the cloud holds are
released at once from many threads. PostgreSQL does not serialise writes
as sqlite does, so Placement's generations alone must keep every claim
within capacity.
"""

import concurrent.futures
import threading

import oslo_messaging

from scheduler import exception
from scheduler.rpc import serializer
from scheduler.sim import cloud
from tests.fixtures import cloud_hosts
from tests.functional import helpers

CALL_TIMEOUT = 120
SERVERS = ('sched-1', 'sched-2', 'sched-3')
HOSTS = 60
# Each host takes two instances of helpers.spec() (VCPU is the limit).
HOST_VCPUS = 2
CALLS = 200


def _select(client, instance):
    """Selections, or the NoValidHost refusing them."""
    try:
        return helpers.select_one(client, instance)
    except exception.NoValidHost as e:
        return e


def test_three_schedulers_never_overcommit_a_postgresql_placement(
        placement, scheduler_factory, rpc_transport):
    hosts = cloud_hosts.make_hosts(HOSTS, vcpus=HOST_VCPUS)
    cloud.create_hosts(placement.endpoint, hosts)
    for name in SERVERS:
        scheduler_factory(host=name, workers=2)
    client = oslo_messaging.get_rpc_client(
        rpc_transport, oslo_messaging.Target(topic='scheduler',
                                             version='4.5'),
        serializer=serializer.SchedulerSerializer(rebuild_selections=True),
        timeout=CALL_TIMEOUT)
    instances = helpers.uuids(CALLS)
    start = threading.Barrier(min(CALLS, 50))

    def call(instance):
        try:
            start.wait(timeout=CALL_TIMEOUT)
        except threading.BrokenBarrierError:
            pass
        return instance, _select(client, instance)

    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        outcomes = dict(pool.map(call, instances))

    placed = {i for i, o in outcomes.items()
              if not isinstance(o, exception.NoValidHost)}
    refused = {i: o for i, o in outcomes.items()
               if isinstance(o, exception.NoValidHost)}
    # Every call answered: placed or refused with a reason.
    assert set(outcomes) == set(instances)
    assert all(r.reason for r in refused.values())
    room = HOSTS * HOST_VCPUS
    assert len(placed) <= room
    # More asked than fits: the losers were refused, not lost.
    assert len(placed) + len(refused) == CALLS and refused
    # Placement holds exactly the placed instances, within capacity.
    usages = cloud.usages(placement.endpoint)
    assert sum(u['VCPU'] for u in usages.values()) == len(placed)
    assert all(u['VCPU'] <= HOST_VCPUS for u in usages.values())
    for instance in list(placed)[:20]:
        assert helpers.allocations(placement, instance)
    for instance in list(refused)[:20]:
        assert not helpers.allocations(placement, instance)
