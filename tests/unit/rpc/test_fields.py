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

"""The field tables: one table reads and writes each Nova object."""

import json

import pytest

from scheduler import exception
from scheduler.host_state import facts
from scheduler.objects import numa_pci as numa_model
from scheduler.objects import request_spec as model
from scheduler.rpc import fields
from scheduler.rpc import numa_pci
from scheduler.rpc import payloads
from scheduler.rpc import primitives
from scheduler.rpc import readers

SAMPLES = [
    (primitives.FLAVOR, model.Flavor(
        vcpus=2, memory_mb=2048, root_gb=20, ephemeral_gb=1, swap=512,
        name='m1', flavorid='42', extra_specs={'hw:cpu_policy': 'shared'})),
    (primitives.IMAGE, model.Image(id='img', name='cirros',
                                   disk_format='qcow2',
                                   properties={'hw_disk_bus': 'scsi'})),
    (primitives.INSTANCE_GROUP, model.InstanceGroup(
        uuid='g', policy='anti-affinity', hosts=['h1'], members=['i1'],
        rules={'max_server_per_host': '2'})),
    (primitives.DESTINATION, model.Destination(
        host='h1', node='n1', cell_uuid='c1', aggregates=['a,b'],
        forbidden_aggregates={'x'}, allow_cross_cell_move=True)),
    (primitives.REQUEST_GROUP, model.RequestGroup(
        requester_id='port-1', resources={'NET_BW_EGR_KILOBIT_PER_SEC': 10},
        required_traits={'CUSTOM_PHYSNET_A'}, forbidden_traits={'X'},
        aggregates=[['a', 'b']], forbidden_aggregates={'c'},
        in_tree='rp', use_same_provider=False)),
    (primitives.REQUEST_LEVEL_PARAMS, model.RequestLevelParams(
        root_required={'A'}, root_forbidden={'B'}, same_subtree=[['g1']])),
    (numa_pci.NETWORK_METADATA, numa_model.NetworkMetadata(
        physnets=frozenset(['physnet1']), tunneled=True)),
    (payloads.AGGREGATE, facts.AggregateFacts(
        id=3, uuid='agg', name='fast', hosts=frozenset(['h1', 'h2']),
        metadata={'availability_zone': 'az1'})),
    (payloads.INSTANCE, facts.InstanceFacts(
        uuid='i1', project_id='p', vm_state='active', task_state=None,
        image_properties=frozenset([('hw_machine_type', 'q35')]))),
]


@pytest.mark.parametrize('table,record', SAMPLES,
                         ids=[table.name for table, _ in SAMPLES])
def test_every_written_table_reads_back_what_it_wrote(table, record):
    wire = json.loads(json.dumps(table.write(record)))
    assert wire[readers.NAME_KEY] == table.name
    assert wire[readers.VERSION_KEY] == table.version
    assert table.read(wire, 'x') == record


def test_an_older_wire_name_is_read_when_the_new_one_is_absent():
    wire = fields.nova_object('InstanceGroup', '1.10', {
        'policies': ['affinity'], 'rules': {'k': 'v'}})
    group = primitives.INSTANCE_GROUP.read(wire, 'group')
    assert (group.policy, group.rules) == ('affinity', {'k': 'v'})


def test_an_empty_omitted_field_is_not_written():
    data = primitives.DESTINATION.write(model.Destination(host='h1'))[
        readers.DATA_KEY]
    assert 'cell' not in data and 'allow_cross_cell_move' not in data
    assert data['aggregates'] == [] and data['node'] is None


def test_a_bad_value_is_refused_naming_its_path():
    wire = fields.nova_object('Flavor', '1.2', {'vcpus': 'two',
                                                'memory_mb': 1})
    with pytest.raises(exception.InvalidRequest) as e:
        primitives.FLAVOR.read(wire, 'spec_obj.flavor')
    assert 'spec_obj.flavor.vcpus must be an integer' in e.value.reason


def test_read_only_fields_are_not_written_and_read_only_tables_refuse():
    spec = model.RequestSpec(
        flavor=model.Flavor(vcpus=1, memory_mb=1),
        pci_requests=[numa_model.PCIRequest(count=1)],
        requested_networks=[model.NetworkRequest(port_id='p')])
    data = primitives.REQUEST_SPEC.write(spec)[readers.DATA_KEY]
    assert not {'numa_topology', 'pci_requests',
                'requested_networks'} & set(data)
    with pytest.raises(TypeError):
        numa_pci.PCI_REQUESTS.write(spec.pci_requests)


def test_a_guest_numa_topology_is_written_as_read_back():
    # scheduler-plan sends the topology Nova's API would have derived.
    spec = model.RequestSpec(
        flavor=model.Flavor(vcpus=2, memory_mb=2048),
        numa_topology=numa_model.InstanceNUMATopology(cells=[
            numa_model.InstanceNUMACell(
                id=0, pcpuset=frozenset({0, 1}), memory=2048,
                cpu_policy='dedicated', pagesize=-2)],
            emulator_threads_policy='isolate'))
    primitive = primitives.REQUEST_SPEC.write(spec)
    assert primitives.request_spec_from_primitive(
        primitive).numa_topology == spec.numa_topology


def test_absent_objects_read_as_the_tables_say():
    assert primitives.IMAGE.read(None, 'image') == model.Image()
    assert primitives.REQUEST_LEVEL_PARAMS.read(
        None, 'p') == model.RequestLevelParams()
    assert numa_pci.PCI_REQUESTS.read(None, 'p') == []
    assert primitives.DESTINATION.read(None, 'd') is None
