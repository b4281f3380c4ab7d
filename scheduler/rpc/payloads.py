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

"""What the fanout casts carry, read into plain records for the manager.

As Nova sends them (``nova/compute/api.py`` and ``nova/compute/
manager.py``):

- ``update_aggregates(aggregates)``: a list of Aggregate primitives (Nova
  sends ``[aggregate]``); an AggregateList or a single Aggregate is read
  too.
- ``delete_aggregate(aggregate)``: one Aggregate primitive.
- ``update_instance_info(host_name, instance_info)``: an InstanceList
  primitive (a single Instance, or a list of them, is read too).
- ``delete_instance_info(host_name, instance_uuid)``: a string.
- ``sync_instance_info(host_name, instance_uuids)``: a list of strings.

They are read into the records the host-facts sources keep
(``scheduler.host_state.facts``): ``AggregateFacts`` and ``InstanceFacts``;
only the fields the scheduler uses are read. A malformed payload raises
``InvalidRequest``; a cast has no caller to tell, so the endpoint logs it
and drops the cast.
"""

from scheduler.host_facts import instances as compact
from scheduler.host_state import facts
from scheduler.rpc import readers


def _objects(value, path, list_name, name):
    """Items of a ``list_name`` primitive, a ``name`` or a list of them."""
    if isinstance(value, dict):
        if value.get(readers.NAME_KEY) == name:
            return [(value, path)]
        data = readers.read_object(value, path, list_name, required=True)
        path += '.objects'
        value = data.get('objects') or []
    readers.sized(value, path, list, 'a list of %s objects' % name)
    return [(item, '%s[%d]' % (path, i)) for i, item in enumerate(value)]


def aggregate_from_wire(value, path='aggregate'):
    """``AggregateFacts`` from an Aggregate primitive."""
    data = readers.read_object(value, path, 'Aggregate', required=True)
    agg_id = data.get('id')
    return facts.AggregateFacts(
        uuid=readers.read_str(data.get('uuid'), path + '.uuid'),
        id=None if agg_id is None else readers.read_int(agg_id,
                                                        path + '.id'),
        name=readers.read_str(data.get('name'), path + '.name'),
        hosts=frozenset(readers.read_strings(data.get('hosts'),
                                             path + '.hosts')),
        metadata=readers.read_string_dict(data.get('metadata'),
                                          path + '.metadata'))


def aggregates_from_wire(value, path='aggregates'):
    """A list of ``AggregateFacts`` from what ``update_aggregates`` carries."""
    return [aggregate_from_wire(item, item_path) for item, item_path in
            _objects(value, path, 'AggregateList', 'Aggregate')]


def instance_info_from_wire(value, path):
    """``InstanceFacts`` from an Instance primitive."""
    data = readers.read_object(value, path, 'Instance', required=True)
    uuid = readers.read_str(data.get('uuid'), path + '.uuid')
    if not uuid:
        readers.invalid(path + '.uuid', 'is missing')

    def field(name):
        return readers.read_str(data.get(name), '%s.%s' % (path, name))

    system_metadata = readers.read_dict(data.get('system_metadata'),
                                        path + '.system_metadata')
    for key, item in system_metadata.items():
        if item is not None:
            readers.read_str(item, '%s.system_metadata[%s]' % (
                path, readers.show(key)))
    return facts.InstanceFacts(
        uuid=uuid, project_id=field('project_id'),
        vm_state=field('vm_state'), task_state=field('task_state'),
        image_properties=compact.image_properties(system_metadata))


def instance_infos_from_wire(value, path='instance_info'):
    """A list of ``InstanceFacts`` from ``update_instance_info``."""
    return [instance_info_from_wire(item, item_path) for item, item_path in
            _objects(value, path, 'InstanceList', 'Instance')]


def host_name_from_wire(value, path='host_name'):
    host = readers.read_str(value, path)
    if not host:
        readers.invalid(path, 'is missing')
    return host


def instance_uuid_from_wire(value, path='instance_uuid'):
    uuid = readers.read_str(value, path)
    if not uuid:
        readers.invalid(path, 'is missing')
    return uuid
