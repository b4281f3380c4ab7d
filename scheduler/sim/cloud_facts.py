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

"""What a cloud file says beside Placement: Nova's aggregates, instances.

The ``aggregates`` and ``instances`` of a snapshot (or written by hand)
become the records the casts carry, ``AggregateFacts`` and
``InstanceFacts``; anything malformed is a ``CloudError`` naming the entry.
"""

import collections
import uuid as uuid_lib

from scheduler.host_state import facts
from scheduler.sim import snapshot_nova

AGGREGATE_FIELDS = ('name', 'uuid', 'hosts', 'metadata')
# The uuid of an aggregate given without one, from its name.
AGGREGATE_NAMESPACE = uuid_lib.uuid5(uuid_lib.NAMESPACE_URL,
                                     'scheduler-sim:aggregate')


class CloudError(Exception):
    pass


def is_name(value):
    return isinstance(value, str) and bool(value)


def _is_uuid(value):
    try:
        uuid_lib.UUID(value)
    except (TypeError, ValueError, AttributeError):
        return False
    return True


def _aggregate(entry, index, path):
    """The AggregateFacts of the ``index``-th ``aggregates`` entry."""
    where = '%s: aggregate #%d' % (path, index)
    if not isinstance(entry, dict):
        raise CloudError('%s is not a mapping' % where)
    where += ' (%s)' % (entry.get('name') or entry.get('uuid'))
    unknown = sorted(map(str, set(entry) - set(AGGREGATE_FIELDS)))
    if unknown:
        raise CloudError('%s: unknown field(s) %s'
                         % (where, ', '.join(unknown)))
    if not is_name(entry.get('name')):
        raise CloudError('%s: name is missing or not a string' % where)
    aggregate_uuid = entry.get('uuid')
    if aggregate_uuid is None:
        aggregate_uuid = str(uuid_lib.uuid5(AGGREGATE_NAMESPACE,
                                            entry['name']))
    elif not _is_uuid(aggregate_uuid):
        raise CloudError('%s: uuid is not a UUID' % where)
    hosts = entry.get('hosts') or []
    if not isinstance(hosts, list) or not all(map(is_name, hosts)):
        raise CloudError('%s: hosts must be a list of host names' % where)
    metadata = entry.get('metadata') or {}
    if not isinstance(metadata, dict) or not all(
            is_name(k) and isinstance(v, str)
            for k, v in metadata.items()):
        raise CloudError('%s: metadata must map names to strings (quote '
                         'values such as true or 1)' % where)
    return facts.AggregateFacts(
        id=index + 1, uuid=aggregate_uuid, name=entry['name'],
        hosts=frozenset(hosts), metadata=dict(metadata))


def aggregates(entries, path):
    """The AggregateFacts of a cloud file's optional ``aggregates``."""
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise CloudError('%s: aggregates must be a list' % path)
    aggregates = [_aggregate(e, i, path) for i, e in enumerate(entries)]
    for field in ('name', 'uuid'):
        counts = collections.Counter(getattr(a, field) for a in aggregates)
        twice = sorted(v for v, n in counts.items() if n > 1)
        if twice:
            raise CloudError('%s: aggregate %s(s) used twice: %s'
                             % (path, field, ', '.join(twice)))
    return aggregates


def _instance(entry, host, index, path):
    """The InstanceFacts of the ``index``-th instance of ``host``."""
    where = '%s: instance #%d of host %s' % (path, index, host)
    if not isinstance(entry, dict):
        raise CloudError('%s is not a mapping' % where)
    if entry.get('uuid') is not None:
        where += ' (%s)' % entry['uuid']
    unknown = sorted(map(str, set(entry) - set(snapshot_nova.INSTANCE_FIELDS)))
    if unknown:
        raise CloudError('%s: unknown field(s) %s'
                         % (where, ', '.join(unknown)))
    if not _is_uuid(entry.get('uuid')):
        raise CloudError('%s: uuid is missing or not a UUID' % where)
    for field in ('project_id', 'vm_state'):
        if entry.get(field) is not None and not is_name(entry[field]):
            raise CloudError('%s: %s must be a string or null'
                             % (where, field))
    flavor_id = entry.get('flavor_id')
    if isinstance(flavor_id, int) and not isinstance(flavor_id, bool):
        flavor_id = str(flavor_id)
    if flavor_id is not None and not is_name(flavor_id):
        raise CloudError('%s: flavor_id must be a string, an integer or '
                         'null' % where)
    return facts.InstanceFacts(
        uuid=entry['uuid'], flavor_id=flavor_id,
        project_id=entry.get('project_id'), vm_state=entry.get('vm_state'))


def instances(entries, path):
    """{host: [InstanceFacts]} of a cloud file's optional ``instances``."""
    if entries is None:
        return {}
    if not isinstance(entries, dict):
        raise CloudError('%s: instances must map host names to lists of '
                         'instances' % path)
    result, seen = {}, {}
    for host, listed in entries.items():
        if not is_name(host) or not isinstance(listed, list):
            raise CloudError('%s: instances of host %r must be a list'
                             % (path, host))
        result[host] = [_instance(e, host, i, path)
                        for i, e in enumerate(listed)]
        for instance in result[host]:
            if instance.uuid in seen:
                raise CloudError('%s: instance %s is on hosts %s and %s'
                                 % (path, instance.uuid,
                                    seen[instance.uuid], host))
            seen[instance.uuid] = host
    return result
