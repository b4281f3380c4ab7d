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

"""Resource providers: the names cache, and writes for tests and the sim.

Provider summaries of ``GET /allocation_candidates`` carry uuids, not
names; ``ProviderNames`` maps uuids to names from ``GET
/resource_providers``, fetched again (at most once per lookup) when an
unknown uuid shows up. The functions below create providers, inventories,
traits and aggregates through the same client (Nova's compute service does
this in a real cloud; the scheduler itself only reads).
"""

import collections.abc
import threading

from oslo_log import log as logging
from oslo_utils import uuidutils

from scheduler.placement import client as placement_client
from scheduler.placement import versions

LOG = logging.getLogger(__name__)

VERSION = versions.PROVIDERS
_TREE_VERSION = versions.FEATURES['provider_tree']
_WRITE_ATTEMPTS = 5


class ProviderNames(object):
    """uuid -> name of resource providers, thread-safe.

    The cache dict is replaced on every fetch, never changed in place.
    """

    def __init__(self, client):
        self._client = client
        self._lock = threading.Lock()
        self._names = {}
        self._roots = {}

    def refresh(self):
        """Read every provider's name from Placement."""
        body = self._client.get('/resource_providers', _TREE_VERSION)
        providers = (body or {}).get('resource_providers') or []
        names = {rp['uuid']: rp['name'] for rp in providers}
        roots = {rp['uuid']: rp.get('root_provider_uuid') or rp['uuid']
                 for rp in providers}
        self._names = names
        self._roots = roots
        LOG.debug('Provider names cache holds %d providers', len(names))

    def lookup(self, uuids):
        """A ``{uuid: name}`` mapping that answers for ``uuids``.

        An unknown uuid makes one fetch; one Placement does not know either
        is absent: the caller treats that host as missing data. The
        mapping is the cache itself, so it may hold more providers than
        asked, and must not be modified; a later fetch replaces the cache
        rather than change it.

        :param uuids: provider uuids, any iterable
        """
        if not isinstance(uuids, collections.abc.Collection):
            uuids = list(uuids)
        names = self._names
        if not all(map(names.__contains__, uuids)):
            with self._lock:
                # Another thread may have fetched while we waited.
                names = self._names
                if not all(map(names.__contains__, uuids)):
                    self.refresh()
                    names = self._names
        return names

    def get(self, uuid):
        return self.lookup([uuid]).get(uuid)

    def root_of(self, uuid):
        """The root provider of ``uuid`` as last fetched (or None)."""
        return self._roots.get(uuid)


def _generation(client, rp_uuid):
    body = client.get('/resource_providers/%s' % rp_uuid, VERSION)
    return body['generation']


def _write_with_generation(client, url, body_of, rp_uuid):
    """PUT ``body_of(generation)`` to ``url``.

    The provider generation is read again when another writer got there
    first.
    """
    for attempt in range(_WRITE_ATTEMPTS):
        body = body_of(_generation(client, rp_uuid))
        try:
            return client.put(url, body, VERSION)
        except placement_client.PlacementConflict as e:
            if (e.error_code != 'placement.concurrent_update' or
                    attempt == _WRITE_ATTEMPTS - 1):
                raise


def create_provider(client, name, uuid=None, parent_provider_uuid=None):
    """Create a resource provider; returns its uuid."""
    body = {'name': name, 'uuid': uuid or uuidutils.generate_uuid()}
    if parent_provider_uuid:
        body['parent_provider_uuid'] = parent_provider_uuid
    return client.post('/resource_providers', body, VERSION)['uuid']


def delete_provider(client, rp_uuid):
    client.delete('/resource_providers/%s' % rp_uuid, VERSION)


def ensure_resource_class(client, name):
    """Create custom resource class ``name`` if it does not exist."""
    client.put('/resource_classes/%s' % name, None, VERSION)


def ensure_trait(client, name):
    """Create custom trait ``name`` if it does not exist."""
    client.put('/traits/%s' % name, None, VERSION)


def set_inventories(client, rp_uuid, inventories):
    """Replace the inventories of a provider.

    :param inventories: ``{rc: total}`` or ``{rc: {"total": n,
        "allocation_ratio": r, "reserved": n, ...}}``; custom classes are
        created first.
    """
    records = {}
    for rc, inv in inventories.items():
        if rc.startswith('CUSTOM_'):
            ensure_resource_class(client, rc)
        records[rc] = dict(inv) if isinstance(inv, dict) else {'total': inv}
    url = '/resource_providers/%s/inventories' % rp_uuid
    return _write_with_generation(
        client, url, lambda gen: {'resource_provider_generation': gen,
                                  'inventories': records}, rp_uuid)


def set_traits(client, rp_uuid, traits):
    """Replace the traits of a provider; custom traits are created."""
    traits = sorted(set(traits))
    for name in traits:
        if name.startswith('CUSTOM_'):
            ensure_trait(client, name)
    url = '/resource_providers/%s/traits' % rp_uuid
    return _write_with_generation(
        client, url, lambda gen: {'resource_provider_generation': gen,
                                  'traits': traits}, rp_uuid)


def set_aggregates(client, rp_uuid, aggregates):
    """Replace the aggregates (uuids) a provider is a member of."""
    aggregates = sorted(set(aggregates))
    url = '/resource_providers/%s/aggregates' % rp_uuid
    return _write_with_generation(
        client, url, lambda gen: {'resource_provider_generation': gen,
                                  'aggregates': aggregates}, rp_uuid)


def get_usages(client, rp_uuid):
    """``{rc: used}`` of a provider."""
    body = client.get('/resource_providers/%s/usages' % rp_uuid, VERSION)
    return body['usages']
