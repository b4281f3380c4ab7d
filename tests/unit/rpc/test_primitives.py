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

"""Reading Nova's RequestSpec primitives and legacy dicts into the model."""

import pytest

from scheduler import exception
from scheduler.objects import request_spec as model
from scheduler.rpc import primitives
from tests.unit.rpc import nova_wire


def _data(primitive):
    return primitive['nova_object.data']


def test_nova_request_spec_reads_every_field_the_scheduler_uses():
    spec = primitives.request_spec_from_primitive(nova_wire.request_spec())

    assert spec.flavor == model.Flavor(
        vcpus=2, memory_mb=2048, root_gb=20, ephemeral_gb=5, swap=512,
        name='m1.small', flavorid='2',
        extra_specs={'hw:cpu_policy': 'shared',
                     'trait:CUSTOM_GOLD': 'required'})
    assert (spec.project_id, spec.user_id) == ('p', 'u')
    assert spec.instance_uuid == nova_wire.INSTANCE_UUID
    assert spec.num_instances == 1
    assert spec.image == model.Image(
        id=nova_wire.IMAGE_UUID, name='cirros', disk_format='qcow2',
        properties={'hw_architecture': 'x86_64',
                    'traits_required': ['CUSTOM_Y']})
    assert spec.availability_zone == 'nova'
    assert spec.is_bfv is False
    assert spec.scheduler_hints == {'same_host': ['x']}
    assert spec.ignore_hosts == ['h2']
    assert spec.force_hosts == [] and spec.force_nodes == []
    assert spec.requested_destination == model.Destination(
        host='h1', node='n1', cell_uuid=nova_wire.CELL_UUID,
        aggregates=['a1,a2'], forbidden_aggregates={'a3'})
    assert spec.requested_resources == [model.RequestGroup(
        requester_id='port-1',
        resources={'NET_BW_EGR_KILOBIT_PER_SEC': 1000},
        required_traits={'CUSTOM_PHYSNET1'},
        aggregates=[['agg1'], ['agg2', 'agg3']])]
    assert spec.request_level_params == model.RequestLevelParams(
        root_required={'COMPUTE_STATUS_ENABLED'},
        root_forbidden={'CUSTOM_BAD'}, same_subtree=[['_NIC', '_BW']])
    assert spec.instance_group == model.InstanceGroup(
        uuid=nova_wire.GROUP_UUID, policy='anti-affinity', hosts=['h1'],
        members=['m1', 'm2'], rules={'max_server_per_host': '2'})
    assert spec.retry_hosts == ['h9']


def test_spec_with_only_a_flavor_takes_nova_defaults():
    spec = primitives.request_spec_from_primitive(
        nova_wire.minimal_request_spec())

    assert spec.flavor.vcpus == 2
    assert spec.num_instances == 1
    assert spec.image == model.Image()
    assert spec.is_bfv is False
    assert spec.scheduler_hints == {}
    assert spec.requested_destination is None
    assert spec.requested_resources == []
    assert spec.request_level_params == model.RequestLevelParams()
    assert spec.instance_group is None
    assert spec.retry_hosts == []


def test_older_minor_versions_are_read():
    # RequestSpec 1.10 predates is_bfv, requested_resources and
    # request_level_params; InstanceGroup 1.10 has ``policies``, no policy.
    old_group = nova_wire.obj('InstanceGroup', '1.10', {
        'uuid': nova_wire.GROUP_UUID, 'policies': ['affinity'],
        'hosts': [], 'members': ['m1']})
    primitive = nova_wire.request_spec(instance_group=old_group)
    primitive['nova_object.version'] = '1.10'
    for name in ('is_bfv', 'requested_resources', 'request_level_params'):
        del _data(primitive)[name]

    spec = primitives.request_spec_from_primitive(primitive)

    assert spec.instance_group.policy == 'affinity'
    assert spec.instance_group.members == ['m1']
    assert spec.is_bfv is False
    assert spec.requested_resources == []


def test_unknown_fields_and_newer_minor_versions_are_ignored():
    primitive = nova_wire.request_spec()
    primitive['nova_object.version'] = '1.99'
    _data(primitive)['a_field_from_the_future'] = {'x': [1, 2]}
    _data(_data(primitive)['flavor'])['new_flavor_field'] = 3

    spec = primitives.request_spec_from_primitive(primitive)

    assert spec.flavor.vcpus == 2


def test_unknown_optional_objects_are_skipped():
    primitive = nova_wire.request_spec(
        requested_destination=nova_wire.obj('FancyDestination', '1.0',
                                            {'host': 'h1'}),
        requested_resources=[nova_wire.obj('RequestGroup', '2.0', {}),
                             nova_wire.request_group()],
        network_metadata=nova_wire.obj('SomethingNew', '9.1', {}))

    spec = primitives.request_spec_from_primitive(primitive)

    assert spec.requested_destination is None
    assert [g.requester_id for g in spec.requested_resources] == ['port-1']


def test_image_none_is_an_image_without_properties():
    spec = primitives.request_spec_from_primitive(
        nova_wire.request_spec(image=None, is_bfv=True))

    assert spec.image == model.Image()
    assert spec.is_bfv is True


def test_legacy_dicts_read_like_nova_from_primitives():
    spec = primitives.request_spec_from_legacy(
        nova_wire.legacy_request_spec(), nova_wire.legacy_filter_properties())

    assert spec.flavor.memory_mb == 2048
    assert spec.flavor.extra_specs['trait:CUSTOM_GOLD'] == 'required'
    assert spec.num_instances == 2
    assert spec.instance_uuid == nova_wire.INSTANCE_UUID
    assert (spec.project_id, spec.user_id) == ('p', 'u')
    assert spec.availability_zone == 'nova'
    assert spec.image == model.Image(
        id=nova_wire.IMAGE_UUID, name='cirros',
        properties={'hw_architecture': 'x86_64'})
    assert spec.ignore_hosts == ['h2']
    assert spec.force_hosts == ['h3']
    assert spec.retry_hosts == ['h9', 'h8']
    assert spec.instance_group == model.InstanceGroup(
        uuid=nova_wire.GROUP_UUID, policy='affinity', hosts=['h1'],
        members=['m1'])
    # A scalar hint is wrapped in a list, as Nova's _from_hints does.
    assert spec.scheduler_hints == {'same_host': ['x'],
                                    'different_host': ['y', 'z']}
    assert spec.requested_destination.host == 'h1'


def test_legacy_plain_flavor_dict_and_group_object_are_read():
    request_spec = {'instance_type': {'vcpus': 1, 'memory_mb': 512,
                                      'root_gb': 1, 'name': 'tiny'},
                    'image': {}}
    props = {'instance_group': nova_wire.instance_group()}

    spec = primitives.request_spec_from_legacy(request_spec, props)

    assert spec.flavor == model.Flavor(vcpus=1, memory_mb=512, root_gb=1,
                                       name='tiny')
    assert spec.image == model.Image()
    assert spec.instance_group.policy == 'anti-affinity'
    assert spec.num_instances == 1


def test_legacy_flavor_may_come_in_filter_properties():
    spec = primitives.request_spec_from_legacy(
        {'num_instances': 1}, {'instance_type': nova_wire.flavor(vcpus=8)})

    assert spec.flavor.vcpus == 8


def _set(path, value):
    """A mutation of the RequestSpec primitive: data[path...] = value."""
    def mutate(primitive):
        target = _data(primitive)
        for key in path[:-1]:
            target = target[key]
            if isinstance(target, dict) and 'nova_object.data' in target:
                target = _data(target)
        target[path[-1]] = value
        return primitive
    return mutate


MALFORMED = [
    # (case, mutation of a good RequestSpec primitive, expected reason)
    ('missing flavor', _set(['flavor'], None),
     'spec_obj.flavor is missing'),
    ('vcpus as text', _set(['flavor', 'vcpus'], '2'),
     "spec_obj.flavor.vcpus must be an integer, got '2'"),
    ('vcpus as bool', _set(['flavor', 'vcpus'], True),
     'spec_obj.flavor.vcpus must be an integer, got True'),
    ('negative memory', _set(['flavor', 'memory_mb'], -1),
     'spec_obj.flavor.memory_mb must be >= 0, got -1'),
    ('absurd disk', _set(['flavor', 'root_gb'], 10 ** 20),
     'spec_obj.flavor.root_gb must be <= 2147483647'),
    ('missing memory', _set(['flavor', 'memory_mb'], None),
     'spec_obj.flavor.memory_mb is missing'),
    ('extra spec not text', _set(['flavor', 'extra_specs'], {'a': 1}),
     "spec_obj.flavor.extra_specs['a'] must be a string"),
    ('zero instances', _set(['num_instances'], 0),
     'spec_obj.num_instances must be >= 1'),
    ('too many instances', _set(['num_instances'], 11),
     'spec_obj.num_instances must be <= 10 '
     '([scheduler] max_instances_per_request)'),
    ('hosts as text', _set(['ignore_hosts'], 'h1'),
     'spec_obj.ignore_hosts must be a list of strings'),
    ('huge host list', _set(['force_hosts'], ['h'] * 10001),
     'spec_obj.force_hosts has more than 10000 items'),
    ('bfv as text', _set(['is_bfv'], 'yes'),
     'spec_obj.is_bfv must be true or false'),
    ('negative group amount',
     _set(['requested_resources'], [nova_wire.obj(
         'RequestGroup', '1.3', {'resources': {'VCPU': -2}})]),
     "spec_obj.requested_resources[0].resources['VCPU'] must be >= 0"),
    ('flavor not an object', _set(['flavor'], 'm1.small'),
     "spec_obj.flavor must be a Flavor object, got 'm1.small'"),
    ('flavor of another kind',
     _set(['flavor'], nova_wire.obj('Image', '1.0', {})),
     "spec_obj.flavor is a 'Image', not a Flavor"),
    ('hints not a dict', _set(['scheduler_hints'], ['x']),
     'spec_obj.scheduler_hints must be a dict'),
]


@pytest.mark.parametrize('case,mutate,reason', MALFORMED,
                         ids=[case[0] for case in MALFORMED])
def test_malformed_request_spec_is_refused_naming_the_field(
        case, mutate, reason):
    primitive = mutate(nova_wire.request_spec())

    with pytest.raises(exception.InvalidRequest) as raised:
        primitives.request_spec_from_primitive(primitive, max_instances=10)

    assert reason in raised.value.reason


@pytest.mark.parametrize('primitive,reason', [
    (None, 'spec_obj is missing'),
    ('spec', "spec_obj must be a RequestSpec object, got 'spec'"),
    ({'flavor': {}}, 'spec_obj must be a RequestSpec object primitive'),
    (nova_wire.obj('RequestSpec', '2.0', {}),
     "spec_obj has version '2.0', only 1.x is read"),
    (dict(nova_wire.minimal_request_spec(), **{
        'nova_object.namespace': 'other'}),
     'spec_obj is not in namespace nova'),
    (dict(nova_wire.minimal_request_spec(), **{'nova_object.data': []}),
     'spec_obj.nova_object.data must be a dict'),
])
def test_payload_that_is_not_a_request_spec_is_refused(primitive, reason):
    with pytest.raises(exception.InvalidRequest) as raised:
        primitives.request_spec_from_primitive(primitive)

    assert reason in raised.value.reason


@pytest.mark.parametrize('request_spec,props,reason', [
    ({}, {}, 'request_spec.instance_type is missing'),
    ('spec', {}, 'request_spec must be a dict'),
    ({'instance_type': {'vcpus': 1, 'memory_mb': -5}}, {},
     'request_spec.instance_type.memory_mb must be >= 0, got -5'),
    ({'instance_type': nova_wire.flavor(), 'num_instances': 'two'}, {},
     "request_spec.num_instances must be an integer, got 'two'"),
    ({'instance_type': nova_wire.flavor()}, {'retry': {'hosts': ['h1']}},
     "filter_properties.retry.hosts[0] must be a [host, node] pair"),
    ({'instance_type': nova_wire.flavor()}, [],
     'filter_properties must be a dict'),
])
def test_malformed_legacy_dicts_are_refused(request_spec, props, reason):
    with pytest.raises(exception.InvalidRequest) as raised:
        primitives.request_spec_from_legacy(request_spec, props)

    assert reason in raised.value.reason


def test_instance_uuids_above_the_limit_are_refused():
    with pytest.raises(exception.InvalidRequest) as raised:
        primitives.instance_uuids_from_wire(['u'] * 4, max_instances=3)

    assert 'instance_uuids has more than 3 items' in raised.value.reason
    assert primitives.instance_uuids_from_wire(None) is None
    assert primitives.instance_uuids_from_wire(['a', 'b']) == ['a', 'b']


def test_requested_networks_are_read_for_the_routed_networks_filter():
    spec = primitives.request_spec_from_primitive(nova_wire.request_spec())
    assert spec.requested_networks == []
    nets = nova_wire.obj('NetworkRequestList', '1.1', {'objects': [
        nova_wire.obj('NetworkRequest', '1.3', {'network_id': 'n1',
                                                'port_id': None}),
        nova_wire.obj('NetworkRequest', '1.3', {'port_id': 'p1'})]})
    spec = primitives.request_spec_from_primitive(
        nova_wire.request_spec(requested_networks=nets))
    assert spec.requested_networks == [
        model.NetworkRequest(network_id='n1'),
        model.NetworkRequest(port_id='p1')]
