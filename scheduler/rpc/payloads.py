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
from scheduler.rpc import fields
from scheduler.rpc import readers

AGGREGATE = fields.NovaObject('Aggregate', '1.3', facts.AggregateFacts, [
    fields.Field('uuid', fields.STR),
    fields.Field('id', fields.OPTIONAL_INT, omit=True),
    fields.Field('name', fields.STR),
    fields.Field('hosts', fields.FROZEN_STRINGS),
    fields.Field('metadata', fields.STRING_DICT),
])


def _image_properties(value, path):
    """The image properties an instance's system metadata records."""
    system_metadata = readers.read_dict(value, path)
    for key, item in system_metadata.items():
        if item is not None:
            readers.read_str(item, '%s[%s]' % (path, readers.show(key)))
    return compact.image_properties(system_metadata)


# Read back from the image properties alone: what the scheduler keeps.
SYSTEM_METADATA = fields.Kind(_image_properties, lambda properties: {
    compact.IMAGE_PREFIX + name: value for name, value in properties})

# Writers add the ``host`` and ``node`` the compute sends.
INSTANCE = fields.NovaObject('Instance', '2.8', facts.InstanceFacts, [
    fields.Field('uuid', fields.REQUIRED_STR),
    fields.Field('project_id', fields.STR),
    fields.Field('vm_state', fields.STR),
    fields.Field('task_state', fields.STR),
    fields.Field('system_metadata', SYSTEM_METADATA,
                 attr='image_properties'),
])


def _objects(value, path, list_name, table):
    """Records of a ``list_name`` primitive, a ``table`` one or a list."""
    if isinstance(value, dict) and value.get(readers.NAME_KEY) == table.name:
        return [table.read(value, path, required=True)]
    if isinstance(value, dict):
        data = readers.read_object(value, path, list_name, required=True)
        path += '.objects'
        value = data.get('objects') or []
    readers.sized(value, path, list, 'a list of %s objects' % table.name)
    return [table.read(item, '%s[%d]' % (path, i), required=True)
            for i, item in enumerate(value)]


def aggregate_from_wire(value, path='aggregate'):
    """``AggregateFacts`` from an Aggregate primitive."""
    return AGGREGATE.read(value, path, required=True)


def aggregates_from_wire(value, path='aggregates'):
    """A list of ``AggregateFacts`` from what ``update_aggregates`` carries."""
    return _objects(value, path, 'AggregateList', AGGREGATE)


def instance_infos_from_wire(value, path='instance_info'):
    """A list of ``InstanceFacts`` from ``update_instance_info``."""
    return _objects(value, path, 'InstanceList', INSTANCE)


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
