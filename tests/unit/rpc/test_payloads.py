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

"""Reading the fanout casts' payloads, and writing every form back."""

import json

import pytest

from scheduler import exception
from scheduler.host_state import facts
from scheduler.objects import request_spec as model
from scheduler.rpc import payloads
from scheduler.rpc import primitives
from scheduler.sim import writers
from tests.unit.rpc import nova_wire


def test_update_aggregates_reads_the_list_nova_sends():
    aggregates = payloads.aggregates_from_wire([nova_wire.aggregate()])

    assert aggregates == [facts.AggregateFacts(
        uuid=nova_wire.AGG_UUID, id=4, name='fast',
        hosts=frozenset(['h1', 'h2']),
        metadata={'availability_zone': 'az1', 'ssd': 'true'})]
    assert aggregates[0].availability_zone == 'az1'


def test_aggregate_list_and_single_aggregate_are_read_too():
    as_list = nova_wire.obj('AggregateList', '1.3',
                            {'objects': [nova_wire.aggregate()]})

    assert payloads.aggregates_from_wire(as_list)[0].name == 'fast'
    assert payloads.aggregates_from_wire(
        nova_wire.aggregate())[0].hosts == frozenset(['h1', 'h2'])


def test_instance_list_becomes_instance_records():
    infos = payloads.instance_infos_from_wire(nova_wire.instance_list())

    assert infos == [facts.InstanceFacts(
        uuid=nova_wire.INSTANCE_UUID, project_id='p', vm_state='active',
        image_properties=frozenset([('hw_disk_bus', 'scsi')]))]


@pytest.mark.parametrize('reader,value,reason', [
    (payloads.aggregate_from_wire, None, 'aggregate is missing'),
    (payloads.aggregate_from_wire,
     nova_wire.obj('Aggregate', '1.3', {'hosts': 'h1'}),
     'aggregate.hosts must be a list of strings'),
    (payloads.aggregates_from_wire, 'agg',
     'aggregates must be a list of Aggregate objects'),
    (payloads.instance_infos_from_wire,
     nova_wire.obj('InstanceList', '2.6', {'objects': [
         nova_wire.obj('Instance', '2.8', {'host': 'h1'})]}),
     'instance_info.objects[0].uuid is missing'),
    (payloads.instance_infos_from_wire,
     nova_wire.obj('InstanceList', '2.6', {'objects': [
         nova_wire.obj('Instance', '2.8', {
             'uuid': 'i1', 'system_metadata': {'image_x': 5}})]}),
     "instance_info.objects[0].system_metadata['image_x'] must be a string"),
    (payloads.host_name_from_wire, '', 'host_name is missing'),
    (payloads.instance_uuid_from_wire, 5,
     'instance_uuid must be a string, got 5'),
])
def test_malformed_cast_payload_is_refused(reader, value, reason):
    with pytest.raises(exception.InvalidRequest) as raised:
        reader(value)

    assert reason in raised.value.reason


def _full_spec():
    return primitives.request_spec_from_primitive(nova_wire.request_spec())


def test_written_primitive_reads_back_to_the_same_spec():
    spec = _full_spec()

    wire = json.loads(json.dumps(writers.request_spec_to_primitive(spec)))

    assert primitives.request_spec_from_primitive(wire) == spec


def test_written_legacy_dicts_read_back_to_what_api_4_0_carries():
    spec = _full_spec()

    request_spec, props = json.loads(json.dumps(
        writers.request_spec_to_legacy(spec)))
    back = primitives.request_spec_from_legacy(request_spec, props)

    # API 4.0 has no place for these four, nor for group rules.
    expected = model.RequestSpec(**dict(
        vars(spec), is_bfv=False, requested_resources=[],
        network_metadata=None,
        request_level_params=model.RequestLevelParams(),
        instance_group=model.InstanceGroup(**dict(
            vars(spec.instance_group), rules={}))))
    assert back == expected


def test_written_cast_payloads_read_back():
    aggregate = facts.AggregateFacts(uuid='u1', id=3, name='a',
                                     hosts=frozenset(['h']),
                                     metadata={'k': 'v'})
    info = facts.InstanceFacts(
        uuid='i1', project_id='p', vm_state='active',
        task_state='resize_prep',
        image_properties=frozenset([('hw_machine_type', 'q35')]))

    assert payloads.aggregate_from_wire(
        writers.aggregate_to_primitive(aggregate)) == aggregate
    assert payloads.instance_infos_from_wire(
        writers.instance_list_to_primitive('h', [info])) == [info]
