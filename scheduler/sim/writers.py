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

The inverse of ``scheduler.rpc.primitives`` and ``scheduler.rpc.payloads``,
written with their tables (``scheduler.rpc.fields``):
the simulator and the tests send what a Nova conductor or compute would
(object primitives at the versions of Nova 34, or the legacy 4.0 dicts when
the version cap is older than 4.3), so the server is always exercised
through its real reading path.
"""

from scheduler.rpc import fields
from scheduler.rpc import payloads
from scheduler.rpc import primitives
from scheduler.rpc import readers


def request_spec_to_primitive(spec):
    """A Nova RequestSpec 1.15 primitive of ``spec``."""
    return primitives.REQUEST_SPEC.write(spec)


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
        # The ImageMeta fields as a plain dict, its properties too.
        legacy_image = dict(
            primitives.IMAGE.write(image)[readers.DATA_KEY],
            properties=dict(image.properties))
    request_spec = {
        'num_instances': spec.num_instances,
        'image': legacy_image,
        'instance_properties': instance,
        'instance_type': primitives.FLAVOR.write(spec.flavor),
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
        props['requested_destination'] = primitives.DESTINATION.write(
            spec.requested_destination)
    return request_spec, props


def aggregate_to_primitive(aggregate):
    """An Aggregate primitive of an ``AggregateFacts``."""
    return payloads.AGGREGATE.write(aggregate)


def instance_list_to_primitive(host_name, instances):
    """An InstanceList primitive of host ``host_name``'s ``InstanceFacts``.

    As a compute sends it: each Instance names the host (and, here, a node
    of the same name).
    """
    return fields.nova_object('InstanceList', '2.6', {'objects': [
        payloads.INSTANCE.write(instance, host=host_name, node=host_name)
        for instance in instances]})
