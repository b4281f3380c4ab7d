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
