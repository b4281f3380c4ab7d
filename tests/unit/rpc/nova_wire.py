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

"""Nova wire payloads written by hand from Nova 34's object definitions.

``nova/objects/request_spec.py`` (RequestSpec 1.15, Destination 1.4,
SchedulerRetries 1.1, SchedulerLimits 1.0, RequestGroup 1.3,
RequestLevelParams 1.1), ``flavor.py`` (Flavor 1.2), ``image_meta.py``
(ImageMeta 1.8, ImageMetaProps 1.44), ``instance_group.py`` (InstanceGroup
1.11), ``cell_mapping.py`` (CellMapping 1.1), ``compute_node.py``
(ComputeNode 1.19, ComputeNodeList 1.17), ``network_metadata.py``
(NetworkMetadata 1.0), ``aggregate.py`` (Aggregate 1.3), ``instance.py``
(Instance 2.8, InstanceList 2.6). Only set fields appear in ``data``; sets
travel as lists; ``nova_object.changes`` lists the changed fields.
"""

import copy

INSTANCE_UUID = 'a1b2c3d4-0000-4000-8000-000000000001'
IMAGE_UUID = 'c9b3ad4e-6f39-4d0c-9f3b-1f0b1c2f5a11'
GROUP_UUID = '0b6b1a3e-2f2d-4e2e-8a8a-111111111111'
CELL_UUID = '0b6b1a3e-2f2d-4e2e-8a8a-222222222222'
AGG_UUID = '0b6b1a3e-2f2d-4e2e-8a8a-555555555555'


def obj(name, version, data):
    return {'nova_object.name': name, 'nova_object.namespace': 'nova',
            'nova_object.version': version, 'nova_object.data': data,
            'nova_object.changes': sorted(data)}


def flavor(**overrides):
    data = {'id': 7, 'name': 'm1.small', 'flavorid': '2', 'vcpus': 2,
            'memory_mb': 2048, 'root_gb': 20, 'ephemeral_gb': 5, 'swap': 512,
            'rxtx_factor': 1.0, 'vcpu_weight': None, 'disabled': False,
            'is_public': True, 'projects': [], 'description': None,
            'extra_specs': {'hw:cpu_policy': 'shared',
                            'trait:CUSTOM_GOLD': 'required'}}
    data.update(overrides)
    return obj('Flavor', '1.2', data)


def image():
    props = obj('ImageMetaProps', '1.44', {'hw_architecture': 'x86_64',
                                           'traits_required': ['CUSTOM_Y']})
    return obj('ImageMeta', '1.8', {
        'id': IMAGE_UUID, 'name': 'cirros', 'status': 'active',
        'container_format': 'bare', 'disk_format': 'qcow2', 'size': 10,
        'min_ram': 0, 'min_disk': 0, 'created_at': '2026-01-01T00:00:00Z',
        'properties': props})


def instance_group():
    return obj('InstanceGroup', '1.11', {
        'uuid': GROUP_UUID, 'policy': 'anti-affinity', 'hosts': ['h1'],
        'members': ['m1', 'm2'], '_rules': {'max_server_per_host': '2'},
        'user_id': 'u', 'project_id': 'p', 'name': 'grp'})


def destination():
    cell = obj('CellMapping', '1.1', {'uuid': CELL_UUID, 'name': 'cell1'})
    return obj('Destination', '1.4', {
        'host': 'h1', 'node': 'n1', 'cell': cell, 'aggregates': ['a1,a2'],
        'allow_cross_cell_move': False, 'forbidden_aggregates': ['a3']})


def request_group():
    return obj('RequestGroup', '1.3', {
        'requester_id': 'port-1', 'use_same_provider': True,
        'resources': {'NET_BW_EGR_KILOBIT_PER_SEC': 1000},
        'required_traits': ['CUSTOM_PHYSNET1'], 'forbidden_traits': [],
        'aggregates': [['agg1'], ['agg2', 'agg3']],
        'forbidden_aggregates': [], 'provider_uuids': [], 'in_tree': None})


def retry():
    node = obj('ComputeNode', '1.19', {'host': 'h9',
                                       'hypervisor_hostname': 'n9'})
    return obj('SchedulerRetries', '1.1', {
        'num_attempts': 2,
        'hosts': obj('ComputeNodeList', '1.17', {'objects': [node]})})


def request_spec(**overrides):
    """A RequestSpec 1.15 as a Nova 34 conductor sends for a boot."""
    data = {
        'instance_uuid': INSTANCE_UUID,
        'project_id': 'p',
        'user_id': 'u',
        'num_instances': 1,
        'availability_zone': 'nova',
        'is_bfv': False,
        'flavor': flavor(),
        'image': image(),
        'numa_topology': None,
        'pci_requests': None,
        'ignore_hosts': ['h2'],
        'force_hosts': None,
        'force_nodes': None,
        'scheduler_hints': {'same_host': ['x']},
        'instance_group': instance_group(),
        'requested_destination': destination(),
        'requested_resources': [request_group()],
        'request_level_params': obj('RequestLevelParams', '1.1', {
            'root_required': ['COMPUTE_STATUS_ENABLED'],
            'root_forbidden': ['CUSTOM_BAD'],
            'same_subtree': [['_NIC', '_BW']]}),
        'retry': retry(),
        'limits': obj('SchedulerLimits', '1.0', {
            'numa_topology': None, 'vcpu': None, 'disk_gb': None,
            'memory_mb': None}),
        'network_metadata': obj('NetworkMetadata', '1.0', {
            'physnets': ['physnet1'], 'tunneled': False}),
        'security_groups': obj('SecurityGroupList', '1.1',
                               {'objects': []}),
    }
    data.update(overrides)
    return obj('RequestSpec', '1.15', data)


def minimal_request_spec():
    """The least a RequestSpec carries: a flavor (everything else unset)."""
    return obj('RequestSpec', '1.15', {'flavor': flavor()})


def legacy_request_spec():
    """``RequestSpec.to_legacy_request_spec_dict()``, serialized.

    The image is a plain dict, the flavor still a Flavor primitive.
    """
    return {
        'num_instances': 2,
        'image': {'id': IMAGE_UUID, 'name': 'cirros', 'min_ram': 0,
                  'properties': {'hw_architecture': 'x86_64'}},
        'instance_properties': {
            'uuid': INSTANCE_UUID, 'project_id': 'p', 'user_id': 'u',
            'availability_zone': 'nova', 'numa_topology': None,
            'pci_requests': None, 'vcpus': 2, 'memory_mb': 2048,
            'root_gb': 20, 'ephemeral_gb': 5},
        'instance_type': flavor(),
    }


def legacy_filter_properties():
    """``RequestSpec.to_legacy_filter_properties_dict()``, JSON-decoded."""
    return {
        'ignore_hosts': ['h2'],
        'force_hosts': ['h3'],
        'retry': {'num_attempts': 2, 'hosts': [['h9', 'n9'], ['h8', 'n8']]},
        'limits': {},
        'group_updated': True,
        'group_uuid': GROUP_UUID,
        'group_policies': ['affinity'],
        'group_hosts': ['h1'],
        'group_members': ['m1'],
        'scheduler_hints': {'same_host': 'x', 'different_host': ['y', 'z']},
        'requested_destination': destination(),
    }


def aggregate():
    return obj('Aggregate', '1.3', {
        'id': 4, 'uuid': AGG_UUID, 'name': 'fast',
        'hosts': ['h1', 'h2'],
        'metadata': {'availability_zone': 'az1', 'ssd': 'true'}})


def instance_list():
    instance = obj('Instance', '2.8', {
        'uuid': INSTANCE_UUID, 'host': 'h1', 'node': 'n1',
        'project_id': 'p', 'user_id': 'u', 'availability_zone': 'az1',
        'vm_state': 'active', 'flavor': flavor(),
        'system_metadata': {'image_hw_disk_bus': 'scsi',
                            'image_min_ram': '0', 'owner_user_name': 'u',
                            'clean_attempts': None}})
    return obj('InstanceList', '2.6', {'objects': [instance]})


def copy_of(value):
    return copy.deepcopy(value)
