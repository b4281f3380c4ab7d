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

"""select_destinations end to end: RabbitMQ, scheduler-server, Placement."""

import threading
import time

import oslo_messaging
import pytest

from scheduler import exception
from scheduler.sim import cloud
from scheduler.sim import rpc_client
from tests.fixtures import cloud_hosts
from tests.functional import helpers


def test_one_instance_is_claimed_in_placement(
        placement, scheduler_factory, client):
    hosts = cloud_hosts.make_hosts(3)
    cloud.create_hosts(placement.endpoint, hosts)
    scheduler_factory()
    [instance] = helpers.uuids(1)

    result = client.select_destinations(
        helpers.context(), helpers.spec(vcpus=2, memory_mb=2048),
        [instance], return_objects=True, return_alternates=True)

    [[chosen, *alternates]] = result
    allocs = helpers.allocations(placement, instance)
    assert list(allocs) == [chosen.compute_node_uuid]
    assert allocs[chosen.compute_node_uuid]['resources'] == {
        'VCPU': 2, 'MEMORY_MB': 2048, 'DISK_GB': 10}
    assert chosen.service_host in {h.name for h in hosts}
    # max_attempts defaults to 3: the chosen host and two alternates.
    assert len(alternates) == 2
    assert len({s.compute_node_uuid for s in result[0]}) == 3


def test_multi_create_claims_each_instance_and_consumes_locally(
        placement, scheduler_factory, client):
    # Two hosts with room for two instances each: four instances must land
    # two and two, which needs the first claims to be seen by the next.
    cloud.create_hosts(placement.endpoint,
                       cloud_hosts.make_hosts(2, vcpus=2, memory_mb=4096))
    scheduler_factory()
    instances = helpers.uuids(4)

    result = client.select_destinations(
        helpers.context(), helpers.spec(vcpus=1, num_instances=4),
        instances, return_objects=True, return_alternates=True)

    assert len(result) == 4
    chosen = [selections[0].service_host for selections in result]
    assert sorted(chosen.count(h) for h in set(chosen)) == [2, 2]
    for instance, selections in zip(instances, result):
        assert list(helpers.allocations(placement, instance)) == [
            selections[0].compute_node_uuid]
    assert helpers.total_usage(placement, 'VCPU') == 4


def test_legacy_callers_get_host_dicts(placement, scheduler_factory, client):
    cloud.create_hosts(placement.endpoint, cloud_hosts.make_hosts(2))
    scheduler_factory()

    result = client.select_destinations(
        helpers.context(), helpers.spec(), helpers.uuids(1))

    [dest] = result
    assert dest['host'] in {'compute-01', 'compute-02'}
    assert dest['nodename'] == dest['host']
    assert 'limits' in dest


def test_more_than_fits_is_no_valid_host_and_leaks_nothing(
        placement, scheduler_factory, client):
    cloud.create_hosts(placement.endpoint,
                       cloud_hosts.make_hosts(2, vcpus=2, memory_mb=4096))
    scheduler_factory()
    instances = helpers.uuids(5)

    with pytest.raises(exception.NoValidHost) as err:
        client.select_destinations(
            helpers.context(), helpers.spec(vcpus=1, num_instances=5),
            instances, return_objects=True)

    assert 'instance 5 of 5' in err.value.reason
    # The four instances claimed before the fifth failed were released.
    for instance in instances:
        assert helpers.allocations(placement, instance) == {}
    assert helpers.total_usage(placement, 'VCPU') == 0


def test_disabled_hosts_are_never_chosen(
        placement, scheduler_factory, client):
    hosts = cloud_hosts.make_hosts(2)
    hosts += cloud_hosts.make_hosts(3, prefix='disabled',
                                    traits=['COMPUTE_STATUS_DISABLED'])
    cloud.create_hosts(placement.endpoint, hosts)
    scheduler_factory()

    result = client.select_destinations(
        helpers.context(), helpers.spec(num_instances=4), helpers.uuids(4),
        return_objects=True, return_alternates=True)

    used = {s.service_host for selections in result for s in selections}
    assert used <= {'compute-01', 'compute-02'}


def test_flavor_trait_reaches_placement(placement, scheduler_factory, client):
    hosts = cloud_hosts.make_hosts(3)
    hosts[1].traits = ['CUSTOM_FAST_DISK']
    cloud.create_hosts(placement.endpoint, hosts)
    scheduler_factory()

    result = client.select_destinations(
        helpers.context(),
        helpers.spec(extra_specs={'trait:CUSTOM_FAST_DISK': 'required'}),
        helpers.uuids(1), return_objects=True, return_alternates=True)

    # Only one host has the trait: no alternates can exist.
    assert [s.service_host for s in result[0]] == ['compute-02']


def test_placement_outage_is_not_no_capacity_and_server_recovers(
        placement, scheduler_factory, client):
    cloud.create_hosts(placement.endpoint, cloud_hosts.make_hosts(2))
    scheduler_factory()
    before = helpers.uuids(1)
    client.select_destinations(helpers.context(), helpers.spec(), before,
                               return_objects=True)

    placement.stop()
    during = helpers.uuids(2)
    with pytest.raises(exception.NoValidHost) as err:
        client.select_destinations(
            helpers.context(), helpers.spec(num_instances=2), during,
            return_objects=True)
    placement.start()

    assert 'Placement' in err.value.reason
    assert 'unreachable' in err.value.reason
    assert 'passed' not in err.value.reason
    for instance in during:
        assert helpers.allocations(placement, instance) == {}
    after = helpers.uuids(1)
    result = client.select_destinations(
        helpers.context(), helpers.spec(), after, return_objects=True)
    assert list(helpers.allocations(placement, after[0])) == [
        result[0][0].compute_node_uuid]
    assert helpers.total_usage(placement, 'VCPU') == 2


def test_malformed_payload_is_answered_and_server_keeps_serving(
        placement, scheduler_factory, client, rpc_transport):
    cloud.create_hosts(placement.endpoint, cloud_hosts.make_hosts(1))
    scheduler_factory()
    raw = oslo_messaging.get_rpc_client(
        rpc_transport, oslo_messaging.Target(topic='scheduler'),
        timeout=30).prepare(version='4.5')

    bad_payloads = [
        {'spec_obj': 'not an object'},
        {'spec_obj': {'nova_object.name': 'RequestSpec',
                      'nova_object.namespace': 'nova',
                      'nova_object.version': '1.15',
                      'nova_object.data': {'num_instances': -3}}},
        {'spec_obj': {'nova_object.name': 'RequestSpec',
                      'nova_object.namespace': 'nova',
                      'nova_object.version': '1.15',
                      'nova_object.data': {'flavor': [1, 2]}}},
    ]
    for payload in bad_payloads:
        with pytest.raises(Exception) as err:
            raw.call(helpers.context(), 'select_destinations',
                     instance_uuids=helpers.uuids(1), return_objects=True,
                     **payload)
        assert not isinstance(err.value, oslo_messaging.MessagingTimeout)
        assert 'No valid host' in str(err.value) or 'invalid' in str(
            err.value).lower()

    result = client.select_destinations(
        helpers.context(), helpers.spec(), helpers.uuids(1),
        return_objects=True)
    assert result[0][0].service_host == 'compute-01'


def _wait_for_log(proc, text, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in proc.logs():
            return
        time.sleep(0.05)
    raise AssertionError('%r never logged' % text)


def test_sigterm_finishes_calls_in_flight_and_claims_nothing_twice(
        placement, scheduler_factory, rpc_transport):
    # A call the server has started is answered before the worker exits.
    # oslo.messaging acknowledges RPC messages as they arrive, so a call
    # the worker had received but not started is dropped with the worker:
    # its caller times out, and Placement holds nothing for it.
    cloud.create_hosts(placement.endpoint, cloud_hosts.make_hosts(4, vcpus=8))
    first = scheduler_factory(host='sched-a')
    client = rpc_client.SchedulerClient(rpc_transport, timeout=15)
    instances = helpers.uuids(8)
    results, errors = {}, {}

    def call(instance):
        try:
            results[instance] = client.select_destinations(
                helpers.context(), helpers.spec(), [instance],
                return_objects=True)
        except Exception as e:  # noqa: B902 (recorded, asserted below)
            errors[instance] = e

    threads = [threading.Thread(target=call, args=(i,)) for i in instances]
    for t in threads:
        t.start()
    _wait_for_log(first, 'select_destinations:')
    assert first.stop() == 0
    for t in threads:
        t.join(timeout=60)

    assert results, 'no call in flight was answered'
    assert set(results) | set(errors) == set(instances)
    for instance, error in errors.items():
        assert isinstance(error, oslo_messaging.MessagingTimeout), error
        assert helpers.allocations(placement, instance) == {}
    for instance, result in results.items():
        assert list(helpers.allocations(placement, instance)) == [
            result[0][0].compute_node_uuid]
    assert helpers.total_usage(placement, 'VCPU') == len(results)

    # The next server serves at once.
    scheduler_factory(host='sched-b')
    [after] = helpers.uuids(1)
    client.select_destinations(helpers.context(), helpers.spec(), [after],
                               return_objects=True)
    assert helpers.allocations(placement, after)
