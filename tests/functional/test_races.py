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

"""Two scheduler-server processes racing for the last free capacity.

Each server gets its calls on its own queue (``scheduler.<host>``), so
both processes, two workers each, fetch allocation candidates at the same
moment and claim from stale views of the same providers. Placement's
generations must make every claim beyond capacity fail: the losers get
NoValidHost, and no provider is ever used beyond its inventory.
"""

import threading

import oslo_messaging

from scheduler import exception
from scheduler.rpc import serializer
from scheduler.sim import cloud
from scheduler.sim import writers
from tests.fixtures import cloud_hosts
from tests.functional import helpers

CALL_TIMEOUT = 60
SERVERS = ('sched-a', 'sched-b')
# Each host takes two instances of helpers.spec() (VCPU is the limit).
HOST_VCPUS = 2
FLAVOR = {'VCPU': 1, 'MEMORY_MB': 1024, 'DISK_GB': 10}


def server_client(rpc_transport, server):
    """An RPC client whose calls reach the one scheduler ``server``."""
    return oslo_messaging.get_rpc_client(
        rpc_transport,
        oslo_messaging.Target(topic='scheduler', server=server,
                              version='4.5'),
        serializer=serializer.SchedulerSerializer(rebuild_selections=True),
        timeout=CALL_TIMEOUT)


class UsageWatcher:
    """Samples Placement usages while a race runs; keeps the maxima."""

    def __init__(self, placement):
        self.endpoint = placement.endpoint
        self.peak = {}
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self):
        for name, usage in cloud.usages(self.endpoint).items():
            peak = self.peak.setdefault(name, {})
            for rc, used in usage.items():
                peak[rc] = max(peak.get(rc, 0), used)
        self.samples += 1

    def _run(self):
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(0.02)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=30)
        self._sample()


def race(rpc_transport, placement, calls_per_server):
    """``calls_per_server`` calls to each server, all released at once.

    Returns ``(results, refusals, watcher)``: Selections and NoValidHost
    errors by instance uuid. Any other outcome fails the test.
    """
    clients = {name: server_client(rpc_transport, name) for name in SERVERS}
    work = [(name, instance) for name in SERVERS
            for instance in helpers.uuids(calls_per_server)]
    start = threading.Barrier(len(work))
    results, refusals, unexpected = {}, {}, {}

    def call(name, instance):
        start.wait(timeout=CALL_TIMEOUT)
        try:
            results[instance] = helpers.select_one(clients[name], instance)
        except exception.NoValidHost as e:
            refusals[instance] = e
        except Exception as e:  # noqa: B902 (recorded, asserted below)
            unexpected[instance] = e

    threads = [threading.Thread(target=call, args=item, daemon=True)
               for item in work]
    with UsageWatcher(placement) as watcher:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=CALL_TIMEOUT + 10)
    assert not any(t.is_alive() for t in threads), 'a call never returned'
    assert unexpected == {}
    assert set(results) | set(refusals) == {i for _, i in work}
    return results, refusals, watcher


def assert_never_overcommitted(placement, hosts, watcher):
    capacity = {h.name: {rc: inv['total'] for rc, inv in h.inventory.items()}
                for h in hosts}
    assert watcher.samples > 1
    assert set(watcher.peak) == set(capacity)
    for name, peak in watcher.peak.items():
        for rc, used in peak.items():
            assert used <= capacity[name][rc], (name, rc, used)


def assert_outcomes(placement, hosts, results, refusals):
    uuids_by_name = {h.name: h.uuid for h in hosts}
    for instance, result in results.items():
        [[chosen]] = result
        assert chosen.compute_node_uuid == uuids_by_name[chosen.service_host]
        allocs = helpers.allocations(placement, instance)
        assert list(allocs) == [chosen.compute_node_uuid]
        assert allocs[chosen.compute_node_uuid]['resources'] == FLAVOR
    for instance, refusal in refusals.items():
        # Refused for want of room, not for a broken Placement.
        assert 'Placement unreachable' not in refusal.reason
        assert 'Placement timed out' not in refusal.reason
        assert helpers.allocations(placement, instance) == {}


def start_servers(scheduler_factory, rpc_transport):
    """Both servers, each worker warmed up by a call that claims nothing.

    Without instance uuids a request claims nothing; it sets up the
    worker's Placement session, so that the race below is not decided by
    which process answers its first request faster.
    """
    procs = [scheduler_factory(host=name, workers=2) for name in SERVERS]
    for name in SERVERS:
        rpc = server_client(rpc_transport, name)
        for _ in range(4):
            rpc.call(helpers.context(), 'select_destinations',
                     spec_obj=writers.request_spec_to_primitive(
                         helpers.spec()),
                     instance_uuids=None, return_objects=True)
    return procs


def claims_refused(procs):
    """How many claims the servers saw refused (they tried another host)."""
    return sum(proc.logs().count('refused, trying the next host')
               for proc in procs)


def test_two_servers_racing_for_six_slots_never_overcommit(
        placement, scheduler_factory, rpc_transport):
    hosts = cloud_hosts.make_hosts(3, vcpus=HOST_VCPUS, memory_mb=8192)
    cloud.create_hosts(placement.endpoint, hosts)
    procs = start_servers(scheduler_factory, rpc_transport)

    results, refusals, watcher = race(rpc_transport, placement,
                                      calls_per_server=6)

    assert (len(results), len(refusals)) == (6, 6), [
        r.reason for r in refusals.values()]
    assert_never_overcommitted(placement, hosts, watcher)
    assert_outcomes(placement, hosts, results, refusals)
    usages = cloud.usages(placement.endpoint)
    assert {name: u['VCPU'] for name, u in usages.items()} == {
        h.name: HOST_VCPUS for h in hosts}
    # Both processes took part, and claimed from stale candidates.
    for proc in procs:
        assert proc.logs().count('select_destinations:') == 4 + 6, proc.host
    assert claims_refused(procs) > 0, 'the calls did not race'


def test_last_free_slot_raced_by_eight_calls_has_one_winner(
        placement, scheduler_factory, rpc_transport, client):
    hosts = cloud_hosts.make_hosts(3, vcpus=HOST_VCPUS, memory_mb=8192)
    cloud.create_hosts(placement.endpoint, hosts)
    procs = start_servers(scheduler_factory, rpc_transport)
    # Five of the six slots are taken by one multi-create request.
    taken = client.select_destinations(
        helpers.context(), helpers.spec(num_instances=5), helpers.uuids(5),
        return_objects=True)
    assert len(taken) == 5
    usages = cloud.usages(placement.endpoint)
    [free_host] = [name for name, u in usages.items() if u['VCPU'] == 1]

    results, refusals, watcher = race(rpc_transport, placement,
                                      calls_per_server=4)

    assert (len(results), len(refusals)) == (1, 7), [
        r.reason for r in refusals.values()]
    [[[winner]]] = results.values()
    assert winner.service_host == free_host
    assert_never_overcommitted(placement, hosts, watcher)
    assert_outcomes(placement, hosts, results, refusals)
    assert helpers.total_usage(placement, 'VCPU') == 6
    for proc in procs:
        assert proc.logs().count('select_destinations:') >= 4 + 4, proc.host
    assert claims_refused(procs) > 0, 'the calls did not race'
