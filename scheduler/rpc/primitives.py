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

"""Nova's request forms -> the plain ``RequestSpec`` model, read leniently.

Two forms arrive in ``select_destinations``:

- API 4.3 and later: ``spec_obj``, a Nova RequestSpec 1.x primitive
  (``request_spec_from_primitive``), nesting Flavor, ImageMeta and
  ImageMetaProps, InstanceGroup, Destination (with CellMapping),
  RequestGroup, RequestLevelParams, SchedulerRetries (hosts: a
  ComputeNodeList), SchedulerLimits, NetworkMetadata, ... Only the fields
  the scheduler uses are read.
- API 4.0 to 4.2: two legacy dicts (``request_spec_from_legacy``), as
  Nova's ``RequestSpec.to_legacy_request_spec_dict()`` and
  ``to_legacy_filter_properties_dict()`` make them (and older conductors'
  ``build_request_spec``): ``request_spec`` has ``instance_type`` (a Flavor
  primitive or a plain dict), ``image`` (a plain dict of ImageMeta fields),
  ``instance_properties`` and ``num_instances``; ``filter_properties`` has
  ``scheduler_hints`` (values may be scalars), ``retry`` (``{"num_attempts":
  n, "hosts": [[host, node], ...]}``), ``ignore_hosts``, ``force_hosts``,
  ``force_nodes``, ``requested_destination``, the group as
  ``instance_group`` or as ``group_updated``/``group_policies``/
  ``group_hosts``/``group_members``/``group_uuid``, and sometimes its own
  ``instance_type``.

Lenient: unknown fields are ignored, any minor version of a known major
version is read, an optional nested object of an unknown kind is skipped.
Strict where it matters: see ``scheduler.rpc.readers``; a missing flavor, a
wrong type, a negative or absurd amount or more than ``[scheduler]
max_instances_per_request`` instances raise ``InvalidRequest``.
"""

from scheduler.objects import request_spec as model
from scheduler.rpc import fields
from scheduler.rpc import numa_pci
from scheduler.rpc import readers

F = fields.Field

FLAVOR = fields.NovaObject('Flavor', '1.2', model.Flavor, [
    F('vcpus', fields.integer()),
    F('memory_mb', fields.integer()),
    F('root_gb', fields.integer(0)),
    F('ephemeral_gb', fields.integer(0)),
    F('swap', fields.integer(0)),
    F('name', fields.STR, omit=True),
    F('flavorid', fields.STR, omit=True),
    F('extra_specs', fields.STRING_DICT),
])


def _image_properties(value, path):
    if isinstance(value, dict) and readers.NAME_KEY in value:
        value = readers.read_object(value, path, 'ImageMetaProps')
    return readers.read_dict(value, path)


IMAGE_PROPERTIES = fields.Kind(
    _image_properties,
    lambda props: fields.nova_object('ImageMetaProps', '1.44', dict(props)))

# ImageMeta with its ImageMetaProps; none is an empty ``Image``.
IMAGE = fields.NovaObject('ImageMeta', '1.8', model.Image, [
    F('id', fields.STR, omit=True),
    F('name', fields.STR, omit=True),
    F('disk_format', fields.STR, omit=True),
    F('properties', IMAGE_PROPERTIES),
], absent=model.Image, empty_is_absent=True)

# Version 1.11 has ``policy``; older ones a list of ``policies``.
INSTANCE_GROUP = fields.NovaObject(
    'InstanceGroup', '1.11', model.InstanceGroup, [
        F('uuid', fields.STR),
        F('policy', fields.STR, alias='policies',
          alias_kind=fields.FIRST_STRING),
        F('hosts', fields.STRINGS),
        F('members', fields.STRINGS),
        F('_rules', fields.STRING_DICT, attr='rules', alias='rules'),
    ])


def _cell_uuid(value, path):
    cell = readers.read_object(value, path, 'CellMapping') or {}
    return readers.read_str(cell.get('uuid'), path + '.uuid')


CELL_UUID = fields.Kind(_cell_uuid, lambda uuid: fields.nova_object(
    'CellMapping', '1.1', {'uuid': uuid}))

# ``aggregates`` keep Nova's comma-joined form (one item: any of them).
DESTINATION = fields.NovaObject('Destination', '1.4', model.Destination, [
    F('host', fields.STR),
    F('node', fields.STR),
    F('cell', CELL_UUID, attr='cell_uuid', omit=True),
    F('aggregates', fields.STRINGS),
    F('forbidden_aggregates', fields.STRING_SET, omit=True),
    F('allow_cross_cell_move', fields.boolean(), omit=True),
])

REQUEST_GROUP = fields.NovaObject('RequestGroup', '1.3', model.RequestGroup, [
    F('requester_id', fields.STR),
    F('resources', fields.AMOUNTS),
    F('required_traits', fields.STRING_SET),
    F('forbidden_traits', fields.STRING_SET),
    F('aggregates', fields.STRING_LISTS),
    F('forbidden_aggregates', fields.STRING_SET),
    F('in_tree', fields.STR),
    F('use_same_provider', fields.boolean(True)),
], constants={'provider_uuids': []})

REQUEST_LEVEL_PARAMS = fields.NovaObject(
    'RequestLevelParams', '1.1', model.RequestLevelParams, [
        F('root_required', fields.STRING_SET),
        F('root_forbidden', fields.STRING_SET),
        F('same_subtree', fields.STRING_LISTS),
    ], absent=model.RequestLevelParams)

NETWORK_REQUEST = fields.NovaObject(
    'NetworkRequest', None, model.NetworkRequest, [
        F('network_id', fields.STR),
        F('port_id', fields.STR),
    ], absent=model.NetworkRequest)


def _add_host(hosts, host):
    if host and host not in hosts:
        hosts.append(host)


def retry_hosts_from_wire(value, path):
    """Host names tried before: SchedulerRetries.hosts (ComputeNodeList)."""
    data = readers.read_object(value, path, 'SchedulerRetries')
    if not data:
        return []
    path += '.hosts'
    nodes = readers.read_object(data.get('hosts'), path,
                                'ComputeNodeList') or {}
    objects = nodes.get('objects') or []
    readers.sized(objects, path + '.objects', list,
                  'a list of ComputeNode objects')
    hosts = []
    for i, item in enumerate(objects):
        node_path = '%s.objects[%d]' % (path, i)
        node = readers.read_object(item, node_path, 'ComputeNode') or {}
        _add_host(hosts, readers.read_str(node.get('host'),
                                          node_path + '.host'))
    return hosts


def _retry_to_wire(hosts):
    if not hosts:
        return None
    nodes = [fields.nova_object('ComputeNode', '1.19', {
        'host': host, 'hypervisor_hostname': host}) for host in hosts]
    return fields.nova_object('SchedulerRetries', '1.1', {
        'num_attempts': len(hosts),
        'hosts': fields.nova_object('ComputeNodeList', '1.17',
                                    {'objects': nodes})})


REQUEST_SPEC = fields.NovaObject('RequestSpec', '1.15', model.RequestSpec, [
    F('flavor', fields.nested(FLAVOR, required=True)),
    F('project_id', fields.STR),
    F('user_id', fields.STR),
    F('num_instances', fields.Kind(readers.read_num_instances)),
    F('instance_uuid', fields.STR),
    F('image', fields.nested(IMAGE)),
    F('availability_zone', fields.STR),
    F('is_bfv', fields.boolean()),
    F('scheduler_hints', fields.HINTS),
    F('ignore_hosts', fields.STRINGS_OR_NONE),
    F('force_hosts', fields.STRINGS_OR_NONE),
    F('force_nodes', fields.STRINGS_OR_NONE),
    F('requested_destination', fields.nested(DESTINATION)),
    F('requested_resources',
      fields.listed(REQUEST_GROUP, 'RequestGroup objects')),
    F('request_level_params', fields.nested(REQUEST_LEVEL_PARAMS)),
    F('instance_group', fields.nested(INSTANCE_GROUP)),
    F('requested_networks', fields.object_list(
        'NetworkRequestList', None, NETWORK_REQUEST), read_only=True),
    F('retry', fields.Kind(retry_hosts_from_wire, _retry_to_wire),
      attr='retry_hosts'),
    F('numa_topology', fields.nested(numa_pci.NUMA_TOPOLOGY), omit=True),
    F('pci_requests', fields.nested(numa_pci.PCI_REQUESTS), read_only=True),
    F('network_metadata', fields.nested(numa_pci.NETWORK_METADATA)),
])


def request_spec_from_primitive(primitive, max_instances=None,
                                path='spec_obj'):
    """``RequestSpec`` from a Nova RequestSpec 1.x primitive.

    ``max_instances`` bounds ``num_instances``
    (``[scheduler] max_instances_per_request``).
    """
    spec = REQUEST_SPEC.read(primitive, path, required=True)
    readers.read_num_instances(spec.num_instances, path + '.num_instances',
                               max_instances=max_instances)
    return spec


def _legacy_retry_hosts(value, path):
    """``{"num_attempts": n, "hosts": [[host, node], ...]}`` -> hosts."""
    if not value:
        return []
    if isinstance(value, dict) and readers.NAME_KEY in value:
        return retry_hosts_from_wire(value, path)
    retry = readers.read_dict(value, path)
    path += '.hosts'
    pairs = retry.get('hosts') or []
    readers.sized(pairs, path, list, 'a list of [host, node] pairs')
    hosts = []
    for i, pair in enumerate(pairs):
        pair_path = '%s[%d]' % (path, i)
        if not isinstance(pair, (list, tuple)) or not pair:
            readers.invalid(pair_path, 'must be a [host, node] pair', pair)
        _add_host(hosts, readers.read_str(pair[0], pair_path + '[0]'))
    return hosts


def _legacy_group(props, path):
    """The group: ``instance_group`` or the old ``group_*`` keys."""
    if props.get('instance_group'):
        return INSTANCE_GROUP.read(props['instance_group'],
                                   path + '.instance_group')
    if props.get('group_updated') is not True:
        return None

    def strings(name):
        return readers.read_strings(props.get(name), '%s.%s' % (path, name))

    policies = strings('group_policies')
    return model.InstanceGroup(
        uuid=readers.read_str(props.get('group_uuid'),
                              path + '.group_uuid'),
        policy=policies[0] if policies else None,
        hosts=strings('group_hosts'),
        members=strings('group_members'))


def request_spec_from_legacy(request_spec, filter_properties,
                             max_instances=None):
    """``RequestSpec`` from the legacy 4.0 dicts.

    See the module docstring for the keys of ``request_spec`` and
    ``filter_properties``.
    """
    spec = readers.read_dict(request_spec, 'request_spec')
    props = readers.read_dict(filter_properties, 'filter_properties')
    fp = 'filter_properties'
    flavor = spec.get('instance_type')
    flavor_path = 'request_spec.instance_type'
    if not flavor and props.get('instance_type'):
        flavor, flavor_path = props['instance_type'], fp + '.instance_type'
    instance = spec.get('instance_properties')
    if isinstance(instance, dict) and readers.NAME_KEY in instance:
        instance = readers.read_object(
            instance, 'request_spec.instance_properties', 'Instance')
    instance = readers.read_dict(instance, 'request_spec.instance_properties')

    def instance_field(name):
        return readers.read_str(instance.get(name),
                                'request_spec.instance_properties.' + name)

    return model.RequestSpec(
        flavor=FLAVOR.read(flavor, flavor_path, required=True, plain=True),
        project_id=instance_field('project_id'),
        user_id=instance_field('user_id'),
        num_instances=readers.read_num_instances(
            spec.get('num_instances'), 'request_spec.num_instances',
            max_instances=max_instances),
        instance_uuid=instance_field('uuid'),
        image=IMAGE.read(spec.get('image') or None, 'request_spec.image',
                         plain=True),
        availability_zone=instance_field('availability_zone'),
        scheduler_hints=readers.read_hints(props.get('scheduler_hints'),
                                           fp + '.scheduler_hints'),
        ignore_hosts=readers.read_strings(props.get('ignore_hosts'),
                                          fp + '.ignore_hosts'),
        force_hosts=readers.read_strings(props.get('force_hosts'),
                                         fp + '.force_hosts'),
        force_nodes=readers.read_strings(props.get('force_nodes'),
                                         fp + '.force_nodes'),
        requested_destination=DESTINATION.read(
            props.get('requested_destination'),
            fp + '.requested_destination'),
        instance_group=_legacy_group(props, fp),
        retry_hosts=_legacy_retry_hosts(props.get('retry'), fp + '.retry'))


def instance_uuids_from_wire(value, max_instances=None,
                             path='instance_uuids'):
    """The ``instance_uuids`` argument: None, or a list of strings."""
    if value is None:
        return None
    uuids = readers.read_strings(value, path)
    if max_instances and len(uuids) > max_instances:
        readers.invalid(path, 'has more than %d items ([scheduler] '
                        'max_instances_per_request)' % max_instances,
                        len(uuids))
    return uuids
