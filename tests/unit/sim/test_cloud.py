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

import pytest

from scheduler.sim import cloud
from scheduler.sim import placement_server


def _write(tmp_path, text):
    path = tmp_path / 'cloud.yaml'
    path.write_text(text)
    return str(path)


def test_host_groups_expand_to_named_hosts_with_inventory(tmp_path):
    result = cloud.load_cloud(_write(tmp_path, '''
host_groups:
  - name: cn
    count: 2
    inventory: {VCPU: 8, MEMORY_MB: 4096, DISK_GB: 50}
    allocation_ratio: {VCPU: 4.0}
    reserved: {MEMORY_MB: 512}
    traits: [CUSTOM_X]
flavors:
  tiny: {vcpus: 1, memory_mb: 512}
'''))
    assert [h.name for h in result.hosts] == ['cn-0001', 'cn-0002']
    assert result.hosts[0].inventory['VCPU'] == {
        'total': 8, 'reserved': 0, 'allocation_ratio': 4.0, 'max_unit': 8}
    assert result.hosts[0].inventory['MEMORY_MB']['reserved'] == 512
    assert result.hosts[0].uuid != result.hosts[1].uuid
    assert result.flavors['tiny'].memory_mb == 512


@pytest.mark.parametrize('text,words', [
    ('host_groups: []', 'non-empty host_groups'),
    ('host_groups: [{name: a}]', 'host group #0 is malformed'),
    ('host_groups: [{name: a, count: 0, inventory: {VCPU: 1}}]',
     'must be positive'),
    ('host_groups: [{name: a, inventory: {VCPU: 1}}]\n'
     'flavors: {f: {vcpus: 1, colour: red}}', "flavor 'f' is malformed"),
    ('host_groups: [', 'cannot read cloud file'),
])
def test_malformed_cloud_is_refused_naming_the_problem(tmp_path, text, words):
    with pytest.raises(cloud.CloudError) as err:
        cloud.load_cloud(_write(tmp_path, text))
    assert words in str(err.value)


def test_default_cloud_file_loads():
    from scheduler.cmd import sim_boot as sim
    result = cloud.load_cloud(sim.default_cloud_file())
    assert len(result.hosts) > 10
    assert 'm1.small' in result.flavors


def test_created_hosts_are_providers_with_inventory_and_traits(tmp_path):
    hosts = cloud.load_cloud(_write(tmp_path, '''
host_groups:
  - name: cn
    count: 2
    inventory: {VCPU: 8, MEMORY_MB: 4096, DISK_GB: 50}
    traits: [CUSTOM_FAST, COMPUTE_NODE]
''')).hosts
    with placement_server.PlacementServer(str(tmp_path)) as server:
        cloud.create_hosts(server.endpoint, hosts)
        api = cloud.placement_adapter(server.endpoint)
        rp = hosts[1].uuid
        inventories = api.get(
            '/resource_providers/%s/inventories' % rp).json()['inventories']
        traits = api.get('/resource_providers/%s/traits' % rp).json()
        usages = cloud.usages(server.endpoint)
    assert inventories['VCPU']['total'] == 8
    assert sorted(traits['traits']) == ['COMPUTE_NODE', 'CUSTOM_FAST']
    assert usages == {'cn-0001': {'VCPU': 0, 'MEMORY_MB': 0, 'DISK_GB': 0},
                      'cn-0002': {'VCPU': 0, 'MEMORY_MB': 0, 'DISK_GB': 0}}


AGG = '1e0f3a52-6c44-4b8e-9a2e-1a9d6f0c0001'
VM1 = '5b1d2c3e-0000-4000-8000-000000000001'
VM2 = '5b1d2c3e-0000-4000-8000-000000000002'
GROUP = '''host_groups:
  - name: cn
    count: 2
    inventory: {VCPU: 8, MEMORY_MB: 4096}
'''


def test_aggregates_and_instances_are_read_as_facts(tmp_path):
    result = cloud.load_cloud(_write(tmp_path, GROUP + '''
aggregates:
  - name: rack-a
    uuid: %s
    hosts: [cn-0001]
    metadata: {availability_zone: az1, ssd: 'true'}
  - {name: empty}
instances:
  cn-0001:
    - {uuid: %s, project_id: p1, flavor_id: 42, vm_state: active}
    - {uuid: %s}
  cn-0002: []
''' % (AGG, VM1, VM2)))
    rack, empty = result.aggregates
    assert (rack.id, rack.uuid, rack.name) == (1, AGG, 'rack-a')
    assert rack.hosts == frozenset(['cn-0001'])
    assert rack.availability_zone == 'az1'
    assert rack.metadata['ssd'] == 'true'
    assert (empty.id, empty.hosts, empty.metadata) == (2, frozenset(), {})
    # Given no uuid, one from its name: the same every time.
    assert empty.uuid == cloud.load_cloud(
        _write(tmp_path, GROUP + 'aggregates: [{name: empty}]')
    ).aggregates[0].uuid
    first, second = result.instances['cn-0001']
    assert (first.uuid, first.project_id, first.flavor_id,
            first.vm_state) == (VM1, 'p1', '42', 'active')
    assert (second.uuid, second.project_id, second.vm_state) == (
        VM2, None, None)
    assert result.instances['cn-0002'] == []


def test_without_aggregates_instances_or_zones_nothing_changes(tmp_path):
    result = cloud.load_cloud(_write(tmp_path, GROUP))
    assert (result.aggregates, result.instances) == ([], {})
    assert [h.availability_zone for h in result.hosts] == [None, None]


def test_a_host_group_zone_is_its_hosts_zone(tmp_path):
    result = cloud.load_cloud(_write(tmp_path, GROUP + '''
  - name: edge
    inventory: {VCPU: 8, MEMORY_MB: 4096}
    availability_zone: az2
'''))
    assert [(h.name, h.availability_zone) for h in result.hosts] == [
        ('cn-0001', None), ('cn-0002', None), ('edge-0001', 'az2')]


@pytest.mark.parametrize('text,words', [
    ('aggregates: {a: 1}', 'aggregates must be a list'),
    ('aggregates: [rack]', 'aggregate #0 is not a mapping'),
    ('aggregates: [{uuid: %s}]' % AGG,
     'aggregate #0 (%s): name is missing' % AGG),
    ('aggregates: [{name: r, uuid: nope}]',
     'aggregate #0 (r): uuid is not a UUID'),
    ('aggregates: [{name: r, hosts: cn-0001}]',
     'aggregate #0 (r): hosts must be a list'),
    ('aggregates: [{name: r, metadata: {ssd: true}}]',
     'aggregate #0 (r): metadata must map names to strings'),
    ('aggregates: [{name: r, zone: az1}]',
     'aggregate #0 (r): unknown field(s) zone'),
    ('aggregates: [{name: r}, {name: r}]', 'aggregate name(s) used twice: r'),
    ('instances: [a]', 'instances must map host names'),
    ('instances: {cn-0001: {uuid: %s}}' % VM1,
     'instances of host \'cn-0001\' must be a list'),
    ('instances: {cn-0001: [{uuid: i-1}]}',
     'instance #0 of host cn-0001 (i-1): uuid is missing or not a UUID'),
    ('instances: {cn-0001: [{project_id: p}]}',
     'instance #0 of host cn-0001: uuid is missing'),
    ('instances: {cn-0001: [{uuid: %s, vm_state: 3}]}' % VM1,
     'instance #0 of host cn-0001 (%s): vm_state must be a string' % VM1),
    ('instances: {cn-0001: [{uuid: %s, flavor_id: [1]}]}' % VM1,
     'flavor_id must be a string, an integer or null'),
    ('instances: {cn-0001: [{uuid: %s, host: cn-0001}]}' % VM1,
     'unknown field(s) host'),
    ('instances: {cn-0001: [{uuid: %s}], cn-0002: [{uuid: %s}]}'
     % (VM1, VM1), 'instance %s is on hosts cn-0001 and cn-0002' % VM1),
])
def test_malformed_aggregates_and_instances_name_the_entry(
        tmp_path, text, words):
    with pytest.raises(cloud.CloudError) as err:
        cloud.load_cloud(_write(tmp_path, GROUP + text))
    assert words in str(err.value)


def test_a_host_group_zone_must_be_a_name(tmp_path):
    with pytest.raises(cloud.CloudError) as err:
        cloud.load_cloud(_write(tmp_path, GROUP + '    availability_zone: 1'))
    assert "host group 'cn': availability_zone must be a non-empty" in str(
        err.value)


def test_populate_puts_host_group_hosts_in_their_placement_aggregates(
        tmp_path):
    loaded = cloud.load_cloud(_write(tmp_path, GROUP + '''
    availability_zone: az1
aggregates:
  - {name: rack-a, uuid: %s, hosts: [cn-0002, elsewhere]}
''' % AGG))
    with placement_server.PlacementServer(str(tmp_path)) as server:
        cloud.populate(server.endpoint, loaded)
        api = cloud.placement_adapter(server.endpoint)
        found = {h.name: sorted(api.get(
            '/resource_providers/%s/aggregates' % h.uuid).json()[
                'aggregates']) for h in loaded.hosts}
    zone = cloud.zone_aggregate_uuid('az1')
    assert found == {'cn-0001': [zone], 'cn-0002': sorted([AGG, zone])}
