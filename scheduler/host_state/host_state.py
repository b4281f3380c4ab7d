"""What the scheduler knows of each host during one request.

A host is a compute node: the root of a resource provider tree in
Placement (its uuid is the compute node uuid). ``HostState`` is the per-host
view that third-party filters and weighers read; ``HostStateSet`` holds the
same facts as numpy columns, one entry per host, so that the built-in
filters and weighers answer for every host at once.

Capacity and usage come from Placement's provider summaries, where
``capacity`` is already ``(total - reserved) * allocation_ratio``.
"""

import numpy as np

from scheduler.host_state import facts as host_facts

VCPU = 'VCPU'
MEMORY_MB = 'MEMORY_MB'
DISK_GB = 'DISK_GB'
DISABLED_TRAIT = 'COMPUTE_STATUS_DISABLED'


def _resources(allocation_request):
    """(provider uuid, {rc: amount}) pairs of an allocation request."""
    for rp_uuid, alloc in allocation_request.get('allocations', {}).items():
        yield rp_uuid, alloc.get('resources', {})


class HostState:
    """One host: its tree's capacity, usage, traits and candidate claims.

    ``providers`` maps each provider of the tree to its resources as in
    Placement's provider summaries, ``{rc: {'capacity': c, 'used': u}}``
    (shared with the summaries, never modified). What earlier instances of
    the request consumed is kept apart. ``capacity`` and ``used`` are the
    sums over the tree, consumption included. ``allocation_requests`` are
    Placement's candidate claims on this host. ``facts`` is what the
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
        self.providers = providers
        self.allocation_requests = list(allocation_requests or ())
        self.facts = facts if facts is not None else host_facts.UNKNOWN
        # Instances of this request placed here so far (multi-create).
        self.placed = 0
        self._consumed = {}
        trees = iter(providers.values())
        # Most trees are one provider: its sums are its own numbers.
        first = next(trees, {})
        capacity = self.capacity = {rc: r.get('capacity', 0)
                                    for rc, r in first.items()}
        used = self.used = {rc: r.get('used', 0) for rc, r in first.items()}
        for resources in trees:
            for rc, r in resources.items():
                capacity[rc] = capacity.get(rc, 0) + r.get('capacity', 0)
                used[rc] = used.get(rc, 0) + r.get('used', 0)

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
                used = r.get('used', 0) + consumed.get(rc, 0)
                if used + amount > r.get('capacity', 0):
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


class HostStateSet:
    """All hosts of one request, as a list and as numpy columns.

    ``capacity[rc]`` and ``used[rc]`` are int64 arrays aligned with
    ``hosts``; ``has_room`` is False for a host that no allocation request
    fits any more (after earlier instances of the request consumed it).
    Columns change only through ``consume``, which keeps both views equal.
    """

    def __init__(self, hosts):
        self.hosts = list(hosts)
        n = len(self.hosts)
        # List comprehensions over the hosts' own dicts, then one
        # conversion per column: the pure-Python part of a cold request.
        capacities = [h.capacity for h in self.hosts]
        useds = [h.used for h in self.hosts]
        self.capacity = {}
        self.used = {}
        for rc in sorted(set().union(*capacities)):
            self.capacity[rc] = np.array(
                [c.get(rc, 0) for c in capacities], dtype=np.int64)
            self.used[rc] = np.array(
                [u.get(rc, 0) for u in useds], dtype=np.int64)
        self.has_room = np.ones(n, dtype=bool)
        # Instances of this request placed on each host so far.
        self.placed = np.zeros(n, dtype=np.int64)
        self.index = dict(zip([h.uuid for h in self.hosts], range(n)))
        self._trait_masks = {}

    def __len__(self):
        return len(self.hosts)

    def __iter__(self):
        return iter(self.hosts)

    def __getitem__(self, i):
        return self.hosts[i]

    def _column(self, columns, rc):
        column = columns.get(rc)
        if column is None:
            return np.zeros(len(self.hosts), dtype=np.int64)
        return column

    def total(self, rc):
        """Capacity column of ``rc`` (zeros for a class no host has)."""
        return self._column(self.capacity, rc)

    def free(self, rc):
        """Free column of ``rc``: capacity - used."""
        return self.total(rc) - self._column(self.used, rc)

    @property
    def free_vcpus(self):
        return self.free(VCPU)

    @property
    def free_ram_mb(self):
        return self.free(MEMORY_MB)

    @property
    def free_disk_gb(self):
        return self.free(DISK_GB)

    @property
    def total_vcpus(self):
        return self.total(VCPU)

    @property
    def total_ram_mb(self):
        return self.total(MEMORY_MB)

    @property
    def total_disk_gb(self):
        return self.total(DISK_GB)

    def has_trait(self, trait):
        """Boolean column: the host's root provider has ``trait``."""
        mask = self._trait_masks.get(trait)
        if mask is None:
            mask = np.array([trait in h.traits for h in self.hosts],
                            dtype=bool)
            mask.flags.writeable = False
            self._trait_masks[trait] = mask
        return mask

    @property
    def disabled(self):
        """Boolean column: the host carries ``COMPUTE_STATUS_DISABLED``."""
        return self.has_trait(DISABLED_TRAIT)

    def consume(self, index, allocation_request):
        """Take ``allocation_request`` from host ``index`` in both views."""
        host = self.hosts[index]
        host.consume(allocation_request)
        self.placed[index] = host.placed
        n = len(self.hosts)
        for rc, used in host.used.items():
            if rc not in self.used:
                self.used[rc] = np.zeros(n, dtype=np.int64)
                self.capacity[rc] = np.zeros(n, dtype=np.int64)
            self.used[rc][index] = used
            self.capacity[rc][index] = host.capacity[rc]
        self.has_room[index] = host.fitting_request() is not None
