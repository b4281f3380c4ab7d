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

from scheduler import exception
from scheduler.rpc import numa_pci


def _obj(name, data, version='1.0'):
    return {'nova_object.name': name, 'nova_object.namespace': 'nova',
            'nova_object.version': version, 'nova_object.data': data}


def test_numa_topology_cells_are_read_with_cpus_as_sets():
    topology = numa_pci.NUMA_TOPOLOGY.read(_obj(
        'InstanceNUMATopology', {'cells': [
            _obj('InstanceNUMACell', {'id': 0, 'cpuset': [0, 1],
                                      'pcpuset': [], 'memory': 1024,
                                      'cpu_policy': 'shared'}, '1.6'),
            _obj('InstanceNUMACell', {'id': 1, 'cpuset': [],
                                      'pcpuset': [2, 3], 'memory': 2048,
                                      'cpu_policy': 'dedicated',
                                      'pagesize': 2048}, '1.6'),
        ], 'instance_uuid': 'i'}, '1.3'), 'spec_obj.numa_topology')
    shared, pinned = topology.cells
    assert shared.cpuset == {0, 1} and not shared.dedicated
    assert pinned.pcpuset == {2, 3} and pinned.dedicated
    assert (pinned.memory, pinned.pagesize) == (2048, 2048)


def test_no_numa_topology_is_none():
    assert numa_pci.NUMA_TOPOLOGY.read(None, 'x') is None


def test_pci_requests_are_read_with_their_specs():
    requests = numa_pci.PCI_REQUESTS.read(_obj(
        'InstancePCIRequests', {'requests': [_obj(
            'InstancePCIRequest', {'count': 2, 'alias_name': 'gpu',
                                   'spec': [{'vendor_id': '10de',
                                             'product_id': '1eb8'}]},
            '1.4')]}, '1.1'), 'spec_obj.pci_requests')
    assert len(requests) == 1
    assert requests[0].count == 2
    assert requests[0].spec == [{'vendor_id': '10de', 'product_id': '1eb8'}]


def test_a_cpuset_that_is_not_a_list_is_refused_naming_the_field():
    with pytest.raises(exception.InvalidRequest) as e:
        numa_pci.NUMA_TOPOLOGY.read(_obj(
            'InstanceNUMATopology', {'cells': [_obj(
                'InstanceNUMACell', {'cpuset': 'all'})]}), 'numa_topology')
    assert 'numa_topology.cells[0].cpuset' in str(e.value)
