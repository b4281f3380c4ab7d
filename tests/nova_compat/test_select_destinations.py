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

"""select_destinations sent by Nova's own SchedulerAPI, as conductor does.

Each reply is rebuilt by Nova's NovaObjectSerializer, so a passing test
means a stock nova-conductor gets the Selection objects it expects, and
the claims the service made are in Placement under the instance uuids.
"""

import json

import pytest

from tests.nova_compat import layout


def _expected_resources(flavor):
    return {'VCPU': flavor.vcpus, 'MEMORY_MB': flavor.memory_mb,
            'DISK_GB': flavor.root_gb + flavor.ephemeral_gb}


def _version_tuple(version):
    major, minor = version.split('.')
    return int(major), int(minor)


def _check_selection(nova, selection, hosts_by_uuid, resources):
    # Nova's own class, rebuilt by Nova's serializer from our primitive.
    assert type(selection) is nova.Selection
    assert selection.compute_node_uuid in hosts_by_uuid
    host = hosts_by_uuid[selection.compute_node_uuid]
    assert selection.nodename == host.name
    assert selection.service_host
    assert selection.cell_uuid == layout.CELL_UUID
    assert _version_tuple(selection.allocation_request_version) >= (1, 12)
    request = json.loads(selection.allocation_request)
    assert {rp: alloc['resources']
            for rp, alloc in request['allocations'].items()} == {
        host.uuid: resources}
    return host


def test_one_instance_gets_a_nova_selection_claimed_in_placement(
        nova, scheduler_api, ctxt, new_uuids, placement_api, hosts):
    flavor = nova.make_flavor('compat.small', vcpus=1, memory_mb=512,
                              root_gb=1)
    [instance] = new_uuids(1)
    spec = nova.make_request_spec(ctxt, flavor, [instance])

    result = scheduler_api.select_destinations(
        ctxt, spec, [instance], return_objects=True,
        return_alternates=False)

    assert isinstance(result, list) and len(result) == 1
    assert isinstance(result[0], list) and len(result[0]) == 1
    resources = _expected_resources(flavor)
    host = _check_selection(nova, result[0][0],
                            {h.uuid: h for h in hosts}, resources)
    assert layout.allocations_of(placement_api, instance) == {
        host.uuid: resources}
    record = layout.consumer_record(placement_api, instance)
    assert record['project_id'] == ctxt.project_id
    assert record['user_id'] == ctxt.user_id


def test_multi_create_returns_chosen_host_then_distinct_alternates(
        nova, scheduler_api, ctxt, new_uuids, placement_api, hosts):
    flavor = nova.make_flavor('compat.multi', vcpus=1, memory_mb=1024,
                              root_gb=2)
    instances = new_uuids(3)
    spec = nova.make_request_spec(ctxt, flavor, instances)

    result = scheduler_api.select_destinations(
        ctxt, spec, instances, return_objects=True, return_alternates=True)

    assert len(result) == len(instances)
    resources = _expected_resources(flavor)
    hosts_by_uuid = {h.uuid: h for h in hosts}
    claimed = {selections[0].compute_node_uuid for selections in result}
    # Nova's rule: alternates come from the chosen host's cell, never from
    # a host claimed for any instance of the request, up to max_attempts
    # - 1. Every unclaimed host here can take the instance.
    expected_alternates = min(layout.MAX_ATTEMPTS - 1,
                              len(hosts) - len(claimed))
    for instance, selections in zip(instances, result):
        chosen, alternates = selections[0], selections[1:]
        for selection in selections:
            _check_selection(nova, selection, hosts_by_uuid, resources)
        assert len(alternates) == expected_alternates
        alternate_nodes = [s.compute_node_uuid for s in alternates]
        assert len(set(alternate_nodes)) == len(alternate_nodes)
        assert not claimed & set(alternate_nodes)
        # Only the chosen host is claimed, under the instance's uuid.
        assert layout.allocations_of(placement_api, instance) == {
            chosen.compute_node_uuid: resources}
    used = layout.total_usage(placement_api, hosts)
    assert used == {rc: amount * len(instances)
                    for rc, amount in resources.items()}


def test_return_objects_false_gives_legacy_host_dicts(
        nova, scheduler_api, ctxt, new_uuids, placement_api, hosts):
    flavor = nova.make_flavor('compat.legacy', vcpus=1, memory_mb=256,
                              root_gb=1)
    instances = new_uuids(2)
    spec = nova.make_request_spec(ctxt, flavor, instances)

    result = scheduler_api.select_destinations(
        ctxt, spec, instances, return_objects=False,
        return_alternates=False)

    assert isinstance(result, list) and len(result) == len(instances)
    hosts_by_name = {h.name: h for h in hosts}
    for instance, dest in zip(instances, result):
        assert isinstance(dest, dict)
        assert {'host', 'nodename', 'limits'} <= set(dest)
        assert dest['nodename'] in hosts_by_name
        assert dest['host']
        assert isinstance(dest['limits'], dict)
        node = hosts_by_name[dest['nodename']]
        assert layout.allocations_of(placement_api, instance) == {
            node.uuid: _expected_resources(flavor)}


@pytest.mark.parametrize('version_cap', ['4.4', '4.3', '4.0'])
def test_conductor_capped_to_older_rpc_version_still_gets_a_host(
        nova, scheduler_service, ctxt, new_uuids, hosts, version_cap):
    # [upgrade_levels] scheduler makes Nova's client send 4.4 (no
    # return_objects), 4.3 (no instance_uuids) or 4.0 (legacy dicts).
    api = nova.scheduler_api(version_cap=version_cap)
    flavor = nova.make_flavor('compat.capped', vcpus=1, memory_mb=256,
                              root_gb=1)
    instances = new_uuids(1)
    spec = nova.make_request_spec(ctxt, flavor, instances)

    result = api.select_destinations(ctxt, spec, instances)

    assert isinstance(result, list) and len(result) == 1
    assert result[0]['nodename'] in {h.name for h in hosts}
    assert result[0]['host']


def test_every_selection_carries_an_availability_zone_as_nova_does(
        nova, scheduler_api, ctxt, new_uuids):
    # Nova's scheduler fills Selection.availability_zone with the host's
    # aggregate AZ or [DEFAULT] default_availability_zone ("nova"), never
    # None. conductor's reschedule path (build_instances) copies the
    # alternate's value into instance.availability_zone whenever the field
    # is set, so None would leave a rescheduled instance without an AZ.
    flavor = nova.make_flavor('compat.az', vcpus=1, memory_mb=256,
                              root_gb=1)
    instances = new_uuids(1)
    spec = nova.make_request_spec(ctxt, flavor, instances)

    result = scheduler_api.select_destinations(
        ctxt, spec, instances, return_objects=True, return_alternates=True)

    for selection in result[0]:
        assert isinstance(selection.availability_zone, str)
        assert selection.availability_zone
