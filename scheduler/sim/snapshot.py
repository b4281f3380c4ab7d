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

"""A live Placement's providers as a simulator cloud: take it, load it.

``take(adapter)`` reads every resource provider of a Placement (GET
requests only) and returns a plain dict, ready for YAML::

    providers:
      - name: cn1
        uuid: 6a6f...
        parent: null                  # the parent's uuid, or null
        inventory:
          VCPU: {total: 32, reserved: 0, min_unit: 1, max_unit: 32,
                 step_size: 1, allocation_ratio: 4.0}
        traits: [COMPUTE_NODE, HW_CPU_X86_AVX2]
        aggregates: [4c1e...]
        usages: {VCPU: 12}            # non-zero usages only
    flavors: {}

Parents come before their children: each root (by name, then uuid) is
followed by its subtree, depth first. Nothing of the client's
configuration (endpoint, credentials) is in the dict.

``take_nova(conf)`` adds what Placement does not hold, from Nova's
databases through the ``nova_db`` host-facts source (read-only)::

    aggregates:
      - {name: rack-a, uuid: 9f1c..., hosts: [cn1, cn2],
         metadata: {availability_zone: az1}}
    instances:
      cn1:
        - {uuid: 3b2e..., project_id: p1, flavor_id: null,
           vm_state: active}

``load(adapter, data)`` writes such a dict into an empty Placement: custom
traits and resource classes, then the providers with their own uuids,
inventories, traits and aggregates, then the usages. A provider's usages
become one allocation, of a consumer whose uuid is derived from the
provider's (``consumer_uuid``), in project and user ``snapshot``.

Usages are what a live cloud holds, not what Placement would accept today:
an allocation may exceed ``max_unit`` (several instances), miss
``step_size`` or ``min_unit``, or outgrow a capacity lowered since (a
smaller ``allocation_ratio``, a larger ``reserved``). So the inventory of
a provider with usages is first written relaxed (``reserved`` 0,
``min_unit`` and ``step_size`` 1, ``max_unit`` and ``allocation_ratio``
large enough for the usage), the allocation made, and the inventory then
written again exactly as in the snapshot, which Placement accepts even
when the provider is left over capacity. The loaded providers end with
the snapshot's inventories.
"""

import collections
import math
import numbers
import uuid

from keystoneauth1 import exceptions as ks_exc
from oslo_log import log as logging


LOG = logging.getLogger(__name__)

# Parent and root provider uuids (1.14), aggregates with a generation
# (1.19), POST /resource_providers returning the provider (1.20),
# allocations with a consumer generation (1.28); no consumer_type (1.38).
MICROVERSION = '1.36'
CUSTOM_PREFIX = 'CUSTOM_'
# The project and user of the consumers holding a snapshot's usages.
CONSUMER_PROJECT = 'snapshot'
CONSUMER_USER = 'snapshot'
CONSUMER_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, 'scheduler-sim:snapshot')

PROVIDER_FIELDS = ('name', 'uuid', 'parent', 'inventory', 'traits',
                   'aggregates', 'usages')
INVENTORY_FIELDS = ('total', 'reserved', 'min_unit', 'max_unit',
                    'step_size', 'allocation_ratio')


class SnapshotError(Exception):
    """A snapshot that cannot be used; the message names what is wrong."""


def _get(adapter, url):
    return adapter.get(url, microversion=MICROVERSION).json()


def _put(adapter, url, body=None):
    return adapter.put(url, json=body, microversion=MICROVERSION)


def placement_version(adapter):
    """The maximum microversion Placement supports, e.g. ``'1.39'``."""
    body = adapter.get('/').json()
    try:
        return str(body['versions'][0]['max_version'])
    except (KeyError, IndexError, TypeError) as e:
        raise SnapshotError('Placement answered GET / without a '
                            'versions[0].max_version (%s)' % e)


# -- taking a snapshot ------------------------------------------------------

def _read_provider(adapter, provider):
    """One provider of GET /resource_providers, in the snapshot format."""
    base = '/resource_providers/%s' % provider['uuid']
    inventories = _get(adapter, base + '/inventories')['inventories']
    traits = _get(adapter, base + '/traits')['traits']
    aggregates = _get(adapter, base + '/aggregates')['aggregates']
    usages = _get(adapter, base + '/usages')['usages']
    return {
        'name': provider['name'],
        'uuid': provider['uuid'],
        'parent': provider.get('parent_provider_uuid'),
        'inventory': {
            rc: {field: record[field] for field in INVENTORY_FIELDS}
            for rc, record in sorted(inventories.items())},
        'traits': sorted(traits),
        'aggregates': sorted(aggregates),
        'usages': {rc: used for rc, used in sorted(usages.items()) if used},
    }


def take(adapter):
    """Read every resource provider of Placement; returns a snapshot dict.

    :param adapter: a keystoneauth1 Adapter to Placement; only GET
        requests are sent. Its errors (keystoneauth1 exceptions) are not
        caught here.
    """
    listed = _get(adapter, '/resource_providers')['resource_providers']
    providers = []
    for rp in listed:
        try:
            providers.append(_read_provider(adapter, rp))
        except ks_exc.NotFound:
            # Deleted since the listing (a compute service removed).
            LOG.warning('Resource provider %s (%s) vanished while read; '
                        'left out', rp['name'], rp['uuid'])
    LOG.debug('Read %d resource providers', len(providers))
    return {'providers': tree_order(providers), 'flavors': {}}


def _label(provider):
    return 'provider %s (%s)' % (provider.get('name'), provider.get('uuid'))


def _sort_key(provider):
    return provider['name'], provider['uuid']


def tree_order(providers):
    """``providers`` with each root, by name, followed by its subtree.

    Raises SnapshotError for a parent that is not in ``providers`` or
    parents that make a cycle.
    """
    known = {p['uuid'] for p in providers}
    children = collections.defaultdict(list)
    for provider in providers:
        parent = provider.get('parent')
        if parent is not None and parent not in known:
            raise SnapshotError('%s: its parent %s is not in the snapshot'
                                % (_label(provider), parent))
        children[parent].append(provider)
    ordered = []
    stack = sorted(children[None], key=_sort_key, reverse=True)
    while stack:
        provider = stack.pop()
        ordered.append(provider)
        stack.extend(sorted(children[provider['uuid']], key=_sort_key,
                            reverse=True))
    if len(ordered) < len(providers):
        placed = {p['uuid'] for p in ordered}
        cycle = [p for p in providers if p['uuid'] not in placed]
        raise SnapshotError('%s: its parents form a cycle'
                            % _label(min(cycle, key=_sort_key)))
    return ordered


# -- checking a snapshot ----------------------------------------------------

def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _check_strings(provider, field):
    values = provider.get(field, [])
    if not isinstance(values, list) or not all(
            isinstance(v, str) and v for v in values):
        raise SnapshotError('%s: %s must be a list of strings'
                            % (_label(provider), field))


def _check_inventory(provider):
    inventory = provider.get('inventory', {})
    if not isinstance(inventory, dict):
        raise SnapshotError('%s: inventory must be a mapping of resource '
                            'classes' % _label(provider))
    for rc, record in inventory.items():
        where = '%s: inventory of %s' % (_label(provider), rc)
        if not isinstance(record, dict) or 'total' not in record:
            raise SnapshotError('%s must be a mapping with a total' % where)
        unknown = sorted(set(record) - set(INVENTORY_FIELDS))
        if unknown:
            raise SnapshotError('%s: unknown field(s) %s'
                                % (where, ', '.join(map(str, unknown))))
        for field, value in record.items():
            ratio = (field == 'allocation_ratio' and
                     isinstance(value, numbers.Real) and
                     not isinstance(value, bool))
            if not (ratio or _is_int(value)) or value < 0:
                raise SnapshotError('%s: %s must be a non-negative number, '
                                    'not %r' % (where, field, value))


def _check_usages(provider):
    usages = provider.get('usages', {})
    if not isinstance(usages, dict):
        raise SnapshotError('%s: usages must be a mapping of resource '
                            'classes' % _label(provider))
    for rc, used in usages.items():
        if not _is_int(used) or used < 0:
            raise SnapshotError('%s: usage of %s must be a non-negative '
                                'integer, not %r' % (_label(provider), rc,
                                                     used))
        if used and rc not in provider.get('inventory', {}):
            raise SnapshotError('%s: usage of %s but no inventory of it'
                                % (_label(provider), rc))


def _check_identity(provider, index):
    if not isinstance(provider, dict):
        raise SnapshotError('provider #%d is not a mapping' % index)
    for field in ('name', 'uuid'):
        if not isinstance(provider.get(field), str) or not provider[field]:
            raise SnapshotError('provider #%d (%s): %s is missing or not a '
                                'string' % (index, provider.get('name') or
                                            provider.get('uuid'), field))
    try:
        uuid.UUID(provider['uuid'])
    except ValueError:
        raise SnapshotError('%s: uuid is not a UUID' % _label(provider))
    unknown = sorted(set(provider) - set(PROVIDER_FIELDS))
    if unknown:
        raise SnapshotError('%s: unknown field(s) %s' % (
            _label(provider), ', '.join(map(str, unknown))))
    parent = provider.get('parent')
    if parent is not None and not isinstance(parent, str):
        raise SnapshotError('%s: parent must be a uuid or null'
                            % _label(provider))


def check_provider(provider, index):
    """Raise SnapshotError naming the provider if it is malformed."""
    _check_identity(provider, index)
    _check_inventory(provider)
    _check_strings(provider, 'traits')
    _check_strings(provider, 'aggregates')
    _check_usages(provider)


def validate(data):
    """The providers of snapshot ``data``, parents first.

    Raises SnapshotError naming the first provider found malformed, or
    whose uuid or name another provider has too.
    """
    if not isinstance(data, dict) or not isinstance(
            data.get('providers'), list):
        raise SnapshotError('a snapshot needs a providers list')
    seen = set()
    for index, provider in enumerate(data['providers']):
        check_provider(provider, index)
        for field in ('uuid', 'name'):
            if (field, provider[field]) in seen:
                raise SnapshotError('%s: another provider has this %s'
                                    % (_label(provider), field))
            seen.add((field, provider[field]))
    return tree_order(data['providers'])


# -- loading a snapshot -----------------------------------------------------

def consumer_uuid(provider_uuid):
    """The consumer holding the usages of ``provider_uuid`` once loaded."""
    return str(uuid.uuid5(CONSUMER_NAMESPACE, provider_uuid))


def _create_custom_names(adapter, providers):
    traits = {t for p in providers for t in p.get('traits', [])}
    classes = {rc for p in providers for rc in p.get('inventory', {})}
    for trait in sorted(t for t in traits if t.startswith(CUSTOM_PREFIX)):
        _put(adapter, '/traits/%s' % trait)
    for rc in sorted(c for c in classes if c.startswith(CUSTOM_PREFIX)):
        _put(adapter, '/resource_classes/%s' % rc)


def _relaxed(inventory, usages):
    """``inventory`` that accepts ``usages`` as one allocation."""
    relaxed = {}
    for rc, record in inventory.items():
        used = usages.get(rc, 0)
        if not used:
            relaxed[rc] = record
            continue
        total = record['total']
        ratio = max(record.get('allocation_ratio', 1.0),
                    math.ceil(used / total) if total else 1)
        relaxed[rc] = dict(record, reserved=0, min_unit=1, step_size=1,
                           max_unit=max(total, used),
                           allocation_ratio=float(ratio))
    return relaxed


def _set(adapter, provider, what, body, generation):
    body['resource_provider_generation'] = generation
    resp = _put(adapter, '/resource_providers/%s/%s'
                % (provider['uuid'], what), body)
    return resp.json()['resource_provider_generation']


def _create_provider(adapter, provider):
    """Create ``provider`` with its inventory relaxed for its usages."""
    body = {'name': provider['name'], 'uuid': provider['uuid']}
    if provider.get('parent'):
        body['parent_provider_uuid'] = provider['parent']
    generation = adapter.post('/resource_providers', json=body,
                              microversion=MICROVERSION).json()['generation']
    usages = provider.get('usages') or {}
    inventory = _relaxed(provider.get('inventory') or {}, usages)
    if inventory:
        generation = _set(adapter, provider, 'inventories',
                          {'inventories': inventory}, generation)
    if provider.get('traits'):
        generation = _set(adapter, provider, 'traits',
                          {'traits': provider['traits']}, generation)
    if provider.get('aggregates'):
        _set(adapter, provider, 'aggregates',
             {'aggregates': provider['aggregates']}, generation)


def _allocate(adapter, provider):
    """Allocate the usages of ``provider``, then restore its inventory."""
    usages = {rc: used for rc, used in provider['usages'].items() if used}
    _put(adapter, '/allocations/%s' % consumer_uuid(provider['uuid']), {
        'allocations': {provider['uuid']: {'resources': usages}},
        'project_id': CONSUMER_PROJECT,
        'user_id': CONSUMER_USER,
        'consumer_generation': None,
    })
    generation = _get(adapter, '/resource_providers/%s'
                      % provider['uuid'])['generation']
    _set(adapter, provider, 'inventories',
         {'inventories': provider['inventory']}, generation)


def _refused(provider, error):
    return SnapshotError('%s: Placement refused it: %s'
                         % (_label(provider), ' '.join(str(error).split())))


def load(adapter, data):
    """Write snapshot ``data`` into an empty Placement.

    :param adapter: a keystoneauth1 Adapter to Placement, as an admin,
        raising on error answers (the default).
    :param data: a dict as ``take`` returns it (or as read from YAML).
    :raises SnapshotError: naming the provider that is malformed, or that
        Placement refused (a provider with the same uuid or name exists).
    """
    providers = validate(data)
    _create_custom_names(adapter, providers)
    for provider in providers:
        try:
            _create_provider(adapter, provider)
        except ks_exc.HttpError as e:
            raise _refused(provider, e)
    for provider in providers:
        if not any((provider.get('usages') or {}).values()):
            continue
        try:
            _allocate(adapter, provider)
        except ks_exc.HttpError as e:
            raise _refused(provider, e)
    LOG.info('Loaded %d resource providers from a snapshot',
             len(providers))
