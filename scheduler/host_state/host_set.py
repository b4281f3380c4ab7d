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

"""The hosts of one request as columns: ``HostStateSet``.

The built-in filters and weighers read per-host lists and numpy columns
here, one entry per host, and answer for every host at once; a
``HostState`` (``scheduler.host_state.host_state``) is made only for the
hosts something asks about one by one.
"""

import collections.abc
import itertools
import operator

import numpy as np

from scheduler.host_state import host_state as hs
from scheduler.placement import candidates


class HostStateSet:
    """All hosts of one request: per-host lists, numpy columns, and views.

    ``uuids``, ``host_names``, ``node_names``, ``facts`` and ``traits`` are
    plain lists, one entry per host, which the built-in filters and
    weighers read (through ``scheduler.host_state.columns``); ``total(rc)``
    and ``free(rc)`` are int64 columns, each made the first time a
    resource class is asked for; ``has_room`` is False for a host that no
    allocation request fits any more (after earlier instances of the
    request consumed it); ``placed`` counts them.

    ``hosts[i]`` is host ``i``'s ``HostState``, made the first time
    something asks for it (a third-party plugin, a claim, an explanation):
    most requests never make one for most hosts. ``consume`` goes through
    the host and keeps its columns equal to it.

    Made from Placement's answer by ``scheduler.host_state.builder``
    (``from_placement``), or from ``HostState`` objects.

    ``aggregates_unknown``: why the hosts' aggregates are not known (no
    host-facts source has reported them since start), or None; the
    filters that read aggregates then let no host pass.
    ``missing_reasons``: ``{fact: reason}``, why a host's instances or
    compute record may be unknown (the store's ``missing_reasons()``).
    """

    aggregates_unknown = None
    # {fact: why it may be unknown for a host}, from the host-facts store.
    missing_reasons = {}

    def __init__(self, hosts):
        hosts = list(hosts)
        self._start(uuids=[h.uuid for h in hosts],
                    host_names=[h.host for h in hosts],
                    node_names=[h.nodename for h in hosts],
                    facts=[h.facts for h in hosts],
                    traits=[h.traits for h in hosts],
                    requests=[h.allocation_requests for h in hosts])
        self._cells = [h.cell_uuid for h in hosts]
        self._zones = [h.availability_zone for h in hosts]
        self._aggregates = [h.aggregates for h in hosts]
        self._made = hosts
        self.placed = np.array([h.placed for h in hosts], dtype=np.int64)
        # The hosts' sums, consumption included: every class is here.
        self._all_columns = True
        for rc in set().union(*(h.capacity for h in hosts)):
            self._columns[rc] = (
                np.array([h.capacity.get(rc, 0) for h in hosts], np.int64),
                np.array([h.used.get(rc, 0) for h in hosts], np.int64))

    @classmethod
    def from_placement(cls, uuids, host_names, facts, traits, resources,
                       requests, trees=None, cell_uuid=None, zones=None,
                       default_zone=None, aggregates=None,
                       absent_traits=(), node_names=None,
                       fact_memory=None, rows=None):
        """The set the builder reads from Placement's answer.

        :param resources: per host, its root provider's resources as in
            the provider summaries, ``{rc: Inventory}``.
        :param requests: per host, its allocation requests (a sequence).
        :param trees: ``{index: {provider uuid: resources}}`` of the hosts
            whose tree has providers below the root (the root included).
        :param cell_uuid: the cell of a host whose facts name none.
        :param zones: ``{host name: zone}`` for the hosts whose facts name
            no zone; ``default_zone`` for the others.
        :param aggregates: ``{host name: aggregate uuids}``.
        :param absent_traits: traits the query forbade on the root
            provider: no candidate has them, so ``has_trait`` need not look.
        :param node_names: per host, its node (provider) name; None when
            every node is named as its host.
        :param fact_memory: the ``columns.FactTableMemory`` of the
            caller's earlier sets, or None.
        :param rows: the answer's ``rows.Rows`` (filled), which read the
            resource columns from the last answer's where they can; None
            to read them from ``resources``.
        """
        self = cls.__new__(cls)
        self._start(uuids, host_names,
                    host_names if node_names is None else node_names,
                    facts, traits, requests)
        self._resources = resources
        self._trees = trees or {}
        self._cell_default = cell_uuid
        self._zone_map = zones or {}
        self._zone_default = default_zone
        self._aggregate_map = aggregates or {}
        self._made = [None] * len(uuids)
        self.placed = np.zeros(len(uuids), dtype=np.int64)
        self.fact_memory = fact_memory
        self._rows = rows
        for trait in absent_traits:
            self._trait_masks[trait] = _read_only(
                np.zeros(len(uuids), dtype=bool))
        return self

    def _start(self, uuids, host_names, node_names, facts, traits,
               requests):
        self.uuids = uuids
        self.host_names = host_names
        self.node_names = node_names
        self.facts = facts
        self.traits = traits
        self._requests = requests
        self.has_room = np.ones(len(uuids), dtype=bool)
        self._trait_masks = {}
        # {rc: (capacity, used)}; with _all_columns, a class missing here
        # is one no host has, else one nobody asked for yet.
        self._columns = {}
        self._all_columns = False
        self._resources = None
        self._trees = {}
        self._consumed = set()
        # Per host where given, else derived on first use from the facts,
        # the defaults and the maps.
        self._cells = self._zones = self._aggregates = None
        self._cell_default = self._zone_default = None
        self._zone_map = self._aggregate_map = {}
        # What scheduler.host_state.columns derived from the hosts' facts,
        # by key, on first use; and where it may start from.
        self.derived = {}
        self.fact_memory = None
        self._rows = None

    def __len__(self):
        return len(self.uuids)

    @property
    def hosts(self):
        """The hosts' ``HostState`` objects, each made on first access.

        A view made on each access, not kept: kept, it would make the set
        a reference cycle, which only the garbage collector frees, and a
        request's set holds all of Placement's answer.
        """
        return _Hosts(self)

    def __iter__(self):
        return iter(self.hosts)

    def __getitem__(self, i):
        return self.hosts[i]

    @property
    def cell_uuids(self):
        """The hosts' cells: known from their facts, else the default."""
        if self._cells is None:
            default = self._cell_default
            self._cells = [f.cell_uuid or default for f in self.facts]
        return self._cells

    def cell_uuid(self, i):
        """Host ``i``'s cell, as ``cell_uuids`` has it, without the list."""
        if self._cells is not None:
            return self._cells[i]
        return self.facts[i].cell_uuid or self._cell_default

    @property
    def zones(self):
        """The hosts' availability zones (None where none is known)."""
        if self._zones is None:
            get = self._zone_map.get
            default = self._zone_default
            self._zones = [f.availability_zone or get(name, default)
                           for f, name in zip(self.facts, self.host_names)]
        return self._zones

    def _cell_of(self, i):
        if self._cells is not None:
            return self._cells[i]
        return self.facts[i].cell_uuid or self._cell_default

    def _zone_of(self, i):
        if self._zones is not None:
            return self._zones[i]
        return (self.facts[i].availability_zone or
                self._zone_map.get(self.host_names[i], self._zone_default))

    def _make(self, i):
        """Host ``i``'s ``HostState``, sharing the set's records."""
        providers = (self._trees.get(i) or
                     {self.uuids[i]: self._resources[i]})
        if self._aggregates is not None:
            aggregates = self._aggregates[i]
        else:
            aggregates = self._aggregate_map.get(self.host_names[i], ())
        return hs.HostState(
            self.uuids[i], self.host_names[i], self.node_names[i],
            self._cell_of(i), providers, traits=self.traits[i],
            aggregates=aggregates, availability_zone=self._zone_of(i),
            allocation_requests=self._requests[i], facts=self.facts[i])

    def _pair(self, rc):
        """``(capacity, used)`` columns of ``rc``, made on first use."""
        pair = self._columns.get(rc)
        if pair is not None:
            return pair
        n = len(self)
        if self._all_columns:
            capacity = np.zeros(n, dtype=np.int64)
            used = np.zeros(n, dtype=np.int64)
        else:
            capacity, used = (
                self._rows.columns(rc) if self._rows is not None
                else resource_columns(self._resources, rc))
            for i, tree in self._trees.items():
                capacity[i] = sum(r[rc].capacity
                                  for r in tree.values() if rc in r)
                used[i] = sum(r[rc].used for r in tree.values() if rc in r)
        for i in self._consumed:
            host = self._made[i]
            capacity[i] = host.capacity.get(rc, 0)
            used[i] = host.used.get(rc, 0)
        pair = self._columns[rc] = (capacity, used)
        return pair

    def total(self, rc):
        """Capacity column of ``rc`` (zeros for a class no host has)."""
        return self._pair(rc)[0]

    def free(self, rc):
        """Free column of ``rc``: capacity - used."""
        capacity, used = self._pair(rc)
        return capacity - used

    @property
    def free_vcpus(self):
        return self.free(hs.VCPU)

    @property
    def free_ram_mb(self):
        return self.free(hs.MEMORY_MB)

    @property
    def free_disk_gb(self):
        return self.free(hs.DISK_GB)

    @property
    def total_vcpus(self):
        return self.total(hs.VCPU)

    @property
    def total_ram_mb(self):
        return self.total(hs.MEMORY_MB)

    @property
    def total_disk_gb(self):
        return self.total(hs.DISK_GB)

    def has_trait(self, trait):
        """Boolean column: the host's root provider has ``trait``."""
        mask = self._trait_masks.get(trait)
        if mask is None:
            mask = self._trait_masks[trait] = _read_only(np.fromiter(
                map(operator.contains, self.traits, itertools.repeat(trait)),
                bool, len(self)))
        return mask

    @property
    def disabled(self):
        """Boolean column: the host carries ``COMPUTE_STATUS_DISABLED``."""
        return self.has_trait(hs.DISABLED_TRAIT)

    def consume(self, index, allocation_request):
        """Take ``allocation_request`` from host ``index`` in both views."""
        host = self.hosts[index]
        host.consume(allocation_request)
        self.placed[index] = host.placed
        self._consumed.add(index)
        for rc, (capacity, used) in self._columns.items():
            capacity[index] = host.capacity.get(rc, 0)
            used[index] = host.used.get(rc, 0)
        self.has_room[index] = host.fitting_request() is not None

    def subset(self, keep):
        """A new set of the hosts where bool column ``keep`` is True."""
        indices = np.flatnonzero(keep)
        picked = indices.tolist()
        new_index = {old: new for new, old in enumerate(picked)}

        def take(values):
            return None if values is None else [values[i] for i in picked]

        new = HostStateSet.__new__(HostStateSet)
        new._start(take(self.uuids), take(self.host_names),
                   take(self.node_names), take(self.facts),
                   take(self.traits), take(self._requests))
        new._columns = {rc: (capacity[indices], used[indices])
                        for rc, (capacity, used) in self._columns.items()}
        new._all_columns = self._all_columns
        new._resources = take(self._resources)
        new._trees = {new_index[i]: tree for i, tree in self._trees.items()
                      if i in new_index}
        new._consumed = {new_index[i] for i in self._consumed
                         if i in new_index}
        new._cells = take(self._cells)
        new._zones = take(self._zones)
        new._aggregates = take(self._aggregates)
        new._cell_default = self._cell_default
        new._zone_default = self._zone_default
        new.aggregates_unknown = self.aggregates_unknown
        new.missing_reasons = self.missing_reasons
        new._zone_map = self._zone_map
        new._aggregate_map = self._aggregate_map
        new.fact_memory = self.fact_memory
        new._made = take(self._made)
        new.placed = self.placed[indices]
        new.has_room = self.has_room[indices]
        new._trait_masks = {trait: _read_only(mask[indices])
                            for trait, mask in self._trait_masks.items()}
        return new


class OneRequestEach(collections.abc.Sequence):
    """Per-host allocation requests where each host has exactly one.

    Placement's list as it came, rather than a list per host.
    """

    __slots__ = ('_requests',)

    def __init__(self, requests):
        self._requests = requests

    def __len__(self):
        return len(self._requests)

    def __getitem__(self, i):
        return [self._requests[i]]


class _Hosts(collections.abc.Sequence):
    """``HostStateSet.hosts``: each ``HostState`` made on first access."""

    __slots__ = ('_set',)

    def __init__(self, host_set):
        self._set = host_set

    def __len__(self):
        return len(self._set.uuids)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        made = self._set._made
        host = made[i]
        if host is None:
            host = made[i] = self._set._make(operator.index(i) % len(self))
        return host


def _read_only(array):
    array.flags.writeable = False
    return array


def entries(dicts, key, default):
    """``[d[key] for d in dicts]``, ``default`` where ``key`` is missing.

    ``map`` over ``itemgetter`` first: at 10,000 hosts a Python loop over
    Placement's provider summaries is a good part of a request.
    """
    try:
        return list(map(operator.itemgetter(key), dicts))
    except KeyError:
        return [d.get(key, default) for d in dicts]


_NONE = candidates.Inventory(capacity=0, used=0)
_CAPACITY = operator.attrgetter('capacity')
_USED = operator.attrgetter('used')


def resource_columns(resources, rc):
    """``(capacity, used)`` int64 columns of ``rc`` in provider resources."""
    of_rc = entries(resources, rc, _NONE)
    n = len(of_rc)
    return (np.fromiter(map(_CAPACITY, of_rc), np.int64, n),
            np.fromiter(map(_USED, of_rc), np.int64, n))
