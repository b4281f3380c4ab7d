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
from scheduler.rpc import numa_pci
from scheduler.rpc import readers


def flavor_from_wire(value, path, plain=False):
    """``Flavor`` from a Flavor primitive (or, ``plain``, a dict)."""
    data = readers.read_object(value, path, 'Flavor', required=True,
                               plain=plain)
    return model.Flavor(
        vcpus=readers.read_int(data.get('vcpus'), path + '.vcpus'),
        memory_mb=readers.read_int(data.get('memory_mb'),
                                   path + '.memory_mb'),
        root_gb=readers.read_int(data.get('root_gb'), path + '.root_gb', 0),
        ephemeral_gb=readers.read_int(data.get('ephemeral_gb'),
                                      path + '.ephemeral_gb', 0),
        swap=readers.read_int(data.get('swap'), path + '.swap', 0),
        name=readers.read_str(data.get('name'), path + '.name'),
        flavorid=readers.read_str(data.get('flavorid'), path + '.flavorid'),
        extra_specs=readers.read_string_dict(data.get('extra_specs'),
                                             path + '.extra_specs'))


def image_from_wire(value, path, plain=False):
    """``Image`` from ImageMeta (with ImageMetaProps); None is no image."""
    data = readers.read_object(value, path, 'ImageMeta', plain=plain)
    if not data:
        return model.Image()
    properties = data.get('properties')
    if isinstance(properties, dict) and readers.NAME_KEY in properties:
        properties = readers.read_object(properties, path + '.properties',
                                         'ImageMetaProps')
    return model.Image(
        id=readers.read_str(data.get('id'), path + '.id'),
        name=readers.read_str(data.get('name'), path + '.name'),
        disk_format=readers.read_str(data.get('disk_format'),
                                     path + '.disk_format'),
        properties=readers.read_dict(properties, path + '.properties'))


def instance_group_from_wire(value, path):
    """``InstanceGroup`` (1.11 ``policy``, or the older ``policies``)."""
    data = readers.read_object(value, path, 'InstanceGroup')
    if data is None:
        return None
    policy = readers.read_str(data.get('policy'), path + '.policy')
    if policy is None:
        policies = readers.read_strings(data.get('policies'),
                                        path + '.policies')
        policy = policies[0] if policies else None
    rules = data.get('_rules', data.get('rules'))
    return model.InstanceGroup(
        uuid=readers.read_str(data.get('uuid'), path + '.uuid'),
        policy=policy,
        hosts=readers.read_strings(data.get('hosts'), path + '.hosts'),
        members=readers.read_strings(data.get('members'), path + '.members'),
        rules=readers.read_string_dict(rules, path + '._rules'))


def destination_from_wire(value, path):
    """``Destination``; its ``aggregates`` keep Nova's comma-joined form."""
    data = readers.read_object(value, path, 'Destination')
    if data is None:
        return None
    cell = readers.read_object(data.get('cell'), path + '.cell',
                               'CellMapping') or {}
    return model.Destination(
        host=readers.read_str(data.get('host'), path + '.host'),
        node=readers.read_str(data.get('node'), path + '.node'),
        cell_uuid=readers.read_str(cell.get('uuid'), path + '.cell.uuid'),
        aggregates=readers.read_strings(data.get('aggregates'),
                                        path + '.aggregates'),
        forbidden_aggregates=set(readers.read_strings(
            data.get('forbidden_aggregates'),
            path + '.forbidden_aggregates')),
        allow_cross_cell_move=readers.read_bool(
            data.get('allow_cross_cell_move'),
            path + '.allow_cross_cell_move'))


def request_group_from_wire(value, path):
    data = readers.read_object(value, path, 'RequestGroup')
    if data is None:
        return None

    def strings(name):
        return set(readers.read_strings(data.get(name), path + '.' + name))

    return model.RequestGroup(
        requester_id=readers.read_str(data.get('requester_id'),
                                      path + '.requester_id'),
        resources=readers.read_amounts(data.get('resources'),
                                       path + '.resources'),
        required_traits=strings('required_traits'),
        forbidden_traits=strings('forbidden_traits'),
        aggregates=readers.read_string_lists(data.get('aggregates'),
                                             path + '.aggregates'),
        forbidden_aggregates=strings('forbidden_aggregates'),
        in_tree=readers.read_str(data.get('in_tree'), path + '.in_tree'),
        use_same_provider=readers.read_bool(
            data.get('use_same_provider'), path + '.use_same_provider',
            True))


def request_groups_from_wire(value, path):
    if value is None:
        return []
    readers.sized(value, path, list, 'a list of RequestGroup objects')
    groups = (request_group_from_wire(item, '%s[%d]' % (path, i))
              for i, item in enumerate(value))
    return [group for group in groups if group is not None]


def requested_networks_from_wire(value, path):
    """``NetworkRequestList`` -> [NetworkRequest]; None is []."""
    data = readers.read_object(value, path, 'NetworkRequestList') or {}
    objects = data.get('objects') or []
    readers.sized(objects, path + '.objects', list,
                  'a list of NetworkRequest objects')
    result = []
    for i, item in enumerate(objects):
        item_path = '%s.objects[%d]' % (path, i)
        net = readers.read_object(item, item_path, 'NetworkRequest') or {}
        result.append(model.NetworkRequest(
            network_id=readers.read_str(net.get('network_id'),
                                        item_path + '.network_id'),
            port_id=readers.read_str(net.get('port_id'),
                                     item_path + '.port_id')))
    return result


def request_level_params_from_wire(value, path):
    data = readers.read_object(value, path, 'RequestLevelParams') or {}

    def strings(name):
        return set(readers.read_strings(data.get(name), path + '.' + name))

    return model.RequestLevelParams(
        root_required=strings('root_required'),
        root_forbidden=strings('root_forbidden'),
        same_subtree=readers.read_string_lists(data.get('same_subtree'),
                                               path + '.same_subtree'))


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


def request_spec_from_primitive(primitive, max_instances=None,
                                path='spec_obj'):
    """``RequestSpec`` from a Nova RequestSpec 1.x primitive.

    ``max_instances`` bounds ``num_instances``
    (``[scheduler] max_instances_per_request``).
    """
    data = readers.read_object(primitive, path, 'RequestSpec',
                               required=True)

    def field(name):
        return data.get(name), '%s.%s' % (path, name)

    return model.RequestSpec(
        flavor=flavor_from_wire(*field('flavor')),
        project_id=readers.read_str(*field('project_id')),
        user_id=readers.read_str(*field('user_id')),
        num_instances=readers.read_num_instances(
            *field('num_instances'), max_instances=max_instances),
        instance_uuid=readers.read_str(*field('instance_uuid')),
        image=image_from_wire(*field('image')),
        availability_zone=readers.read_str(*field('availability_zone')),
        is_bfv=readers.read_bool(*field('is_bfv')),
        scheduler_hints=readers.read_hints(*field('scheduler_hints')),
        ignore_hosts=readers.read_strings(*field('ignore_hosts')),
        force_hosts=readers.read_strings(*field('force_hosts')),
        force_nodes=readers.read_strings(*field('force_nodes')),
        requested_destination=destination_from_wire(
            *field('requested_destination')),
        requested_resources=request_groups_from_wire(
            *field('requested_resources')),
        request_level_params=request_level_params_from_wire(
            *field('request_level_params')),
        instance_group=instance_group_from_wire(*field('instance_group')),
        requested_networks=requested_networks_from_wire(
            *field('requested_networks')),
        retry_hosts=retry_hosts_from_wire(*field('retry')),
        numa_topology=numa_pci.numa_topology_from_wire(
            *field('numa_topology')),
        pci_requests=numa_pci.pci_requests_from_wire(
            *field('pci_requests')),
        network_metadata=numa_pci.network_metadata_from_wire(
            *field('network_metadata')))


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
        return instance_group_from_wire(props['instance_group'],
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
        flavor=flavor_from_wire(flavor, flavor_path, plain=True),
        project_id=instance_field('project_id'),
        user_id=instance_field('user_id'),
        num_instances=readers.read_num_instances(
            spec.get('num_instances'), 'request_spec.num_instances',
            max_instances=max_instances),
        instance_uuid=instance_field('uuid'),
        image=image_from_wire(spec.get('image') or None,
                              'request_spec.image', plain=True),
        availability_zone=instance_field('availability_zone'),
        scheduler_hints=readers.read_hints(props.get('scheduler_hints'),
                                           fp + '.scheduler_hints'),
        ignore_hosts=readers.read_strings(props.get('ignore_hosts'),
                                          fp + '.ignore_hosts'),
        force_hosts=readers.read_strings(props.get('force_hosts'),
                                         fp + '.force_hosts'),
        force_nodes=readers.read_strings(props.get('force_nodes'),
                                         fp + '.force_nodes'),
        requested_destination=destination_from_wire(
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
