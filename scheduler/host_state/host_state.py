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

"""What the scheduler knows of each host during one request.

A host is a compute node: the root of a resource provider tree in
Placement (its uuid is the compute node uuid). ``HostState`` is the per-host
view that third-party filters and weighers read;
``scheduler.host_state.host_set.HostStateSet`` holds the same facts as
columns, so that the built-in filters and weighers answer for every host
at once, and makes a ``HostState`` only for a host asked about.

Capacity and usage come from Placement's provider summaries, where
``capacity`` is already ``(total - reserved) * allocation_ratio``.
"""

import msgspec

from scheduler.host_state import facts as host_facts
from scheduler.placement import candidates

VCPU = 'VCPU'
MEMORY_MB = 'MEMORY_MB'
DISK_GB = 'DISK_GB'
DISABLED_TRAIT = 'COMPUTE_STATUS_DISABLED'


_PROVIDERS = dict[str, dict[str, candidates.Inventory]]


def _resources(allocation_request):
    """(provider uuid, {rc: amount}) pairs of an allocation request."""
    for rp_uuid, alloc in allocation_request.get('allocations', {}).items():
        yield rp_uuid, alloc.get('resources', {})


class HostState:
    """One host: its tree's capacity, usage, traits and candidate claims.

    ``providers`` maps each provider of the tree to its resources as in
    Placement's provider summaries, ``{rc: Inventory}`` (``capacity``,
    ``used``; shared with the summaries, never modified; given as plain
    ``{'capacity': c, 'used': u}`` dicts they are converted). What
    earlier instances of the request consumed is kept apart. ``capacity``
    and ``used`` are the sums over the tree, consumption included.
    ``allocation_requests`` are Placement's candidate claims on this
    host. ``facts`` is what the
    host-facts sources know of it (``scheduler.host_state.facts``).
    """

    __slots__ = ('uuid', 'host', 'nodename', 'cell_uuid',
                 'availability_zone', 'traits', 'aggregates', 'providers',
                 'capacity', 'used', 'allocation_requests', 'facts',
                 'placed', '_consumed')

    def __init__(self, uuid, host, nodename, cell_uuid, providers,
                 traits=frozenset(), aggregates=frozenset(),
                 availability_zone=None, allocation_requests=None,
                 facts=None):
        self.uuid = uuid
        self.host = host
        self.nodename = nodename
        self.cell_uuid = cell_uuid
        self.availability_zone = availability_zone
        self.traits = frozenset(traits)
        self.aggregates = frozenset(aggregates)
        self.providers = providers = msgspec.convert(providers, _PROVIDERS)
        self.allocation_requests = list(allocation_requests or ())
        self.facts = facts if facts is not None else host_facts.UNKNOWN
        # Instances of this request placed here so far (multi-create).
        self.placed = 0
        self._consumed = {}
        trees = iter(providers.values())
        # Most trees are one provider: its sums are its own numbers.
        first = next(trees, {})
        capacity = self.capacity = {rc: r.capacity for rc, r in first.items()}
        used = self.used = {rc: r.used for rc, r in first.items()}
        for resources in trees:
            for rc, r in resources.items():
                capacity[rc] = capacity.get(rc, 0) + r.capacity
                used[rc] = used.get(rc, 0) + r.used

    def __repr__(self):
        return '<HostState %s (%s)>' % (self.host, self.uuid)

    def free(self, rc):
        """Capacity of ``rc`` left on the host (0 if it has none)."""
        return self.capacity.get(rc, 0) - self.used.get(rc, 0)

    def fits(self, allocation_request):
        """Whether this tree still has room for ``allocation_request``.

        Only the providers of this tree are checked (a sharing provider
        outside it is Placement's business at claim time).
        """
        for rp_uuid, resources in _resources(allocation_request):
            provider = self.providers.get(rp_uuid)
            if provider is None:
                continue
            consumed = self._consumed.get(rp_uuid, {})
            for rc, amount in resources.items():
                r = provider.get(rc)
                if r is None:
                    return False
                used = r.used + consumed.get(rc, 0)
                if used + amount > r.capacity:
                    return False
        return True

    def fitting_request(self):
        """The first allocation request that still fits, or None."""
        for allocation_request in self.allocation_requests:
            if self.fits(allocation_request):
                return allocation_request
        return None

    def consume(self, allocation_request):
        """Add the resources ``allocation_request`` takes from this tree."""
        self.placed += 1
        for rp_uuid, resources in _resources(allocation_request):
            if rp_uuid not in self.providers:
                continue
            consumed = self._consumed.setdefault(rp_uuid, {})
            for rc, amount in resources.items():
                consumed[rc] = consumed.get(rc, 0) + amount
                self.used[rc] = self.used.get(rc, 0) + amount
                self.capacity.setdefault(rc, 0)
