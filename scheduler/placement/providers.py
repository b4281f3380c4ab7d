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

"""Resource providers' names.

Provider summaries of ``GET /allocation_candidates`` carry uuids, not
names; ``ProviderNames`` maps uuids to names from ``GET
/resource_providers``, fetched again (at most once per lookup) when an
unknown uuid shows up. The scheduler only reads providers; the tests write
them with ``tests.fixtures.placement_writes``.
"""

import collections.abc
import threading

from oslo_log import log as logging

from scheduler.placement import versions

LOG = logging.getLogger(__name__)

_TREE_VERSION = versions.FEATURES['provider_tree']


class ProviderNames(object):
    """uuid -> name of resource providers, thread-safe.

    The cache dict is replaced on every fetch, never changed in place.
    """

    def __init__(self, client):
        self._client = client
        self._lock = threading.Lock()
        self._names = {}
        self._roots = {}
        # (uuids, names): the last list that names answered for whole.
        self._answered = (None, None)

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

        :param uuids: provider uuids, any iterable; a list looked up
            must not be changed afterwards (the same list, looked up
            again, is answered without a look).
        """
        if not isinstance(uuids, collections.abc.Collection):
            uuids = list(uuids)
        names = self._names
        answered, answered_by = self._answered
        if uuids is answered and names is answered_by:
            # The same list (the last answer's hosts, kept by the
            # builder's rows) and the same cache: nothing to look up.
            return names
        known = all(map(names.__contains__, uuids))
        if not known:
            with self._lock:
                # Another thread may have fetched while we waited.
                names = self._names
                known = all(map(names.__contains__, uuids))
                if not known:
                    self.refresh()
                    names = self._names
                    known = all(map(names.__contains__, uuids))
        if known and isinstance(uuids, list):
            self._answered = (uuids, names)
        return names

    def get(self, uuid):
        return self.lookup([uuid]).get(uuid)

    def root_of(self, uuid):
        """The root provider of ``uuid`` as last fetched (or None)."""
        return self._roots.get(uuid)
