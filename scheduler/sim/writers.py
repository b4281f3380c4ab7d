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

"""The plain model -> Nova's wire forms, for our own client.

The inverse of ``scheduler.rpc.primitives`` and ``scheduler.rpc.payloads``:
the simulator and the tests send what a Nova conductor or compute would
(object primitives at the versions of Nova 34, or the legacy 4.0 dicts when
the version cap is older than 4.3), so the server is always exercised
through its real reading path.
"""

from scheduler.host_facts import instances as compact
from scheduler.rpc import readers

# Versions of the Nova objects, as Nova 34 sends them.
VERSIONS = {
    'Aggregate': '1.3',
    'CellMapping': '1.1',
    'ComputeNode': '1.19',
    'ComputeNodeList': '1.17',
    'Destination': '1.4',
    'Flavor': '1.2',
    'ImageMeta': '1.8',
    'ImageMetaProps': '1.44',
    'Instance': '2.8',
    'InstanceGroup': '1.11',
    'InstanceList': '2.6',
    'NetworkMetadata': '1.0',
    'RequestGroup': '1.3',
    'RequestLevelParams': '1.1',
    'RequestSpec': '1.15',
    'SchedulerRetries': '1.1',
}


def nova_object(name, data):
    """A Nova object primitive of ``name`` with the fields ``data``."""
    return {
        readers.NAME_KEY: name,
        readers.NAMESPACE_KEY: readers.NOVA_NAMESPACE,
        readers.VERSION_KEY: VERSIONS[name],
        readers.DATA_KEY: data,
        'nova_object.changes': sorted(data),
    }


def _flavor_fields(flavor):
    fields = {'vcpus': flavor.vcpus, 'memory_mb': flavor.memory_mb,
              'root_gb': flavor.root_gb, 'ephemeral_gb': flavor.ephemeral_gb,
              'swap': flavor.swap, 'extra_specs': dict(flavor.extra_specs)}
    if flavor.name is not None:
        fields['name'] = flavor.name
    if flavor.flavorid is not None:
        fields['flavorid'] = flavor.flavorid
    return fields


def _image_fields(image):
    fields = {'properties': nova_object('ImageMetaProps',
                                        dict(image.properties))}
    if image.id is not None:
        fields['id'] = image.id
    if image.name is not None:
        fields['name'] = image.name
    if image.disk_format is not None:
        fields['disk_format'] = image.disk_format
    return fields


def _group(group):
    if group is None:
        return None
    return nova_object('InstanceGroup', {
        'uuid': group.uuid, 'policy': group.policy,
        'hosts': list(group.hosts), 'members': list(group.members),
        '_rules': dict(group.rules)})


def _destination(dest):
    if dest is None:
        return None
    data = {'host': dest.host, 'node': dest.node,
            'aggregates': list(dest.aggregates)}
    if dest.forbidden_aggregates:
        data['forbidden_aggregates'] = sorted(dest.forbidden_aggregates)
    if dest.cell_uuid:
        data['cell'] = nova_object('CellMapping', {'uuid': dest.cell_uuid})
    if dest.allow_cross_cell_move:
        data['allow_cross_cell_move'] = True
    return nova_object('Destination', data)


def _request_group(group):
    return nova_object('RequestGroup', {
        'requester_id': group.requester_id,
        'resources': dict(group.resources),
        'required_traits': sorted(group.required_traits),
        'forbidden_traits': sorted(group.forbidden_traits),
        'aggregates': [list(aggs) for aggs in group.aggregates],
        'forbidden_aggregates': sorted(group.forbidden_aggregates),
        'in_tree': group.in_tree,
        'use_same_provider': group.use_same_provider,
        'provider_uuids': []})


def _retry(hosts):
    if not hosts:
        return None
    nodes = [nova_object('ComputeNode', {'host': host,
                                         'hypervisor_hostname': host})
             for host in hosts]
    return nova_object('SchedulerRetries', {
        'num_attempts': len(hosts),
        'hosts': nova_object('ComputeNodeList', {'objects': nodes})})


def _network_metadata(metadata):
    if metadata is None:
        return None
    return nova_object('NetworkMetadata', {
        'physnets': sorted(metadata.physnets),
        'tunneled': metadata.tunneled})


def request_spec_to_primitive(spec):
    """A Nova RequestSpec 1.15 primitive of ``spec``."""
    params = spec.request_level_params
    return nova_object('RequestSpec', {
        'flavor': nova_object('Flavor', _flavor_fields(spec.flavor)),
        'image': nova_object('ImageMeta', _image_fields(spec.image)),
        'project_id': spec.project_id,
        'user_id': spec.user_id,
        'num_instances': spec.num_instances,
        'instance_uuid': spec.instance_uuid,
        'availability_zone': spec.availability_zone,
        'is_bfv': spec.is_bfv,
        'scheduler_hints': {k: list(v)
                            for k, v in spec.scheduler_hints.items()},
        'ignore_hosts': list(spec.ignore_hosts) or None,
        'force_hosts': list(spec.force_hosts) or None,
        'force_nodes': list(spec.force_nodes) or None,
        'requested_destination': _destination(spec.requested_destination),
        'requested_resources': [_request_group(g)
                                for g in spec.requested_resources],
        'request_level_params': nova_object('RequestLevelParams', {
            'root_required': sorted(params.root_required),
            'root_forbidden': sorted(params.root_forbidden),
            'same_subtree': [list(s) for s in params.same_subtree]}),
        'instance_group': _group(spec.instance_group),
        'retry': _retry(spec.retry_hosts),
        'network_metadata': _network_metadata(spec.network_metadata),
    })


def request_spec_to_legacy(spec):
    """``(request_spec, filter_properties)``: the legacy 4.0 dicts.

    They carry what API 4.0 can: no ``is_bfv``, ``requested_resources``
    or ``request_level_params``.
    """
    instance = {'uuid': spec.instance_uuid, 'project_id': spec.project_id,
                'user_id': spec.user_id,
                'availability_zone': spec.availability_zone,
                'vcpus': spec.flavor.vcpus,
                'memory_mb': spec.flavor.memory_mb,
                'root_gb': spec.flavor.root_gb,
                'ephemeral_gb': spec.flavor.ephemeral_gb}
    image = spec.image
    legacy_image = {}
    if image.id or image.name or image.properties:
        legacy_image = _image_fields(image)
        legacy_image['properties'] = dict(image.properties)
    request_spec = {
        'num_instances': spec.num_instances,
        'image': legacy_image,
        'instance_properties': instance,
        'instance_type': nova_object('Flavor', _flavor_fields(spec.flavor)),
    }
    props = {}
    for name in ('ignore_hosts', 'force_hosts', 'force_nodes'):
        if getattr(spec, name):
            props[name] = list(getattr(spec, name))
    if spec.retry_hosts:
        props['retry'] = {'num_attempts': len(spec.retry_hosts),
                          'hosts': [[h, h] for h in spec.retry_hosts]}
    group = spec.instance_group
    if group is not None:
        props.update({'group_updated': True, 'group_uuid': group.uuid,
                      'group_policies': [group.policy] if group.policy
                      else [],
                      'group_hosts': list(group.hosts),
                      'group_members': list(group.members)})
    if spec.scheduler_hints:
        # Nova sends a one-item list as its item.
        props['scheduler_hints'] = {
            k: v[0] if len(v) == 1 else list(v)
            for k, v in spec.scheduler_hints.items()}
    if spec.requested_destination is not None:
        props['requested_destination'] = _destination(
            spec.requested_destination)
    return request_spec, props


def aggregate_to_primitive(aggregate):
    data = {'uuid': aggregate.uuid, 'name': aggregate.name,
            'hosts': list(aggregate.hosts),
            'metadata': dict(aggregate.metadata)}
    if aggregate.id is not None:
        data['id'] = aggregate.id
    return nova_object('Aggregate', data)


def instance_list_to_primitive(host_name, instances):
    """An InstanceList primitive of host ``host_name``'s ``InstanceFacts``.

    As a compute sends it: each Instance names the host (and, here, a node
    of the same name).
    """
    return nova_object('InstanceList', {'objects': [
        nova_object('Instance', {
            'uuid': instance.uuid, 'host': host_name, 'node': host_name,
            'project_id': instance.project_id,
            'vm_state': instance.vm_state,
            'task_state': instance.task_state,
            'system_metadata': {compact.IMAGE_PREFIX + name: value
                                for name, value in
                                instance.image_properties}})
        for instance in instances]})
