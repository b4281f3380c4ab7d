"""Columns of host facts, built lazily once per ``HostStateSet``.

``HostStateSet`` holds Placement's numbers as numpy columns; the facts of
``scheduler.host_state.facts`` (aggregates, instances, compute details)
are read here into columns the first time a filter or weigher asks, and
kept for the rest of the request. Facts do not change during a request;
what the request itself places on a host is ``HostStateSet.placed``.

Two shapes:

- value columns (``compute_stat``, ``names``): one entry per host, with a
  ``known`` mask where a fact may be missing;
- groups (``groups``): hosts with equal facts for some key (e.g. the same
  aggregates) share one group, so a filter evaluates once per group and
  broadcasts with ``results[inverse]``.
"""

import weakref

import numpy as np

from scheduler.host_state import facts as host_facts

_CACHE = weakref.WeakKeyDictionary()


def _cached(host_set, key, build):
    columns = _CACHE.get(host_set)
    if columns is None:
        columns = _CACHE[host_set] = {}
    if key not in columns:
        columns[key] = build()
    return columns[key]


def _frozen(value):
    """A hashable image of a JSON-like value."""
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(_frozen(v) for v in value)
    return value


def groups(host_set, name, key, frozen=False):
    """``(representatives, inverse)`` of the hosts grouped by ``key(host)``.

    ``representatives`` are host indices, one per distinct key;
    ``inverse[i]`` is the group of host ``i``. ``key`` returns a hashable
    value, or (``frozen=True``) a JSON-like one made hashable here.
    ``name`` names the grouping in the cache and must identify ``key``.
    """
    def build():
        seen = {}
        reps = []
        inverse = np.empty(len(host_set), dtype=np.int64)
        for i, host in enumerate(host_set.hosts):
            k = _frozen(key(host)) if frozen else key(host)
            group = seen.get(k)
            if group is None:
                group = seen[k] = len(reps)
                reps.append(i)
            inverse[i] = group
        return reps, inverse
    return _cached(host_set, ('groups', name), build)


def mask_by_group(host_set, name, key, passes, frozen=False):
    """Bool column: ``passes(host)`` evaluated once per group of ``key``."""
    reps, inverse = groups(host_set, name, key, frozen)
    results = np.fromiter((bool(passes(host_set.hosts[i])) for i in reps),
                          bool, len(reps))
    return results[inverse]


def aggregate_key(host):
    """The host's aggregate records: hosts sharing them share a key.

    By identity: the facts sources hand out one record per aggregate, so
    this is cheap and groups well; equal records that are distinct objects
    only make more groups, never a wrong answer.
    """
    return tuple(map(id, host.facts.aggregates))


def names(host_set, attr='host'):
    """Object column of lower-cased host (or node) names."""
    return _cached(host_set, ('names', attr), lambda: np.array(
        [(getattr(h, attr) or '').lower() for h in host_set.hosts],
        dtype=object))


def name_in(host_set, wanted, attr='host', case_sensitive=True):
    """Bool column: the host's name is in ``wanted``."""
    if case_sensitive:
        wanted = set(wanted)
        return np.fromiter((getattr(h, attr) in wanted
                            for h in host_set.hosts), bool, len(host_set))
    wanted = {w.lower() for w in wanted if w}
    return np.isin(names(host_set, attr), list(wanted))


def computes(host_set):
    """The hosts' ``ComputeFacts`` (None where not reported), as a list."""
    return _cached(host_set, ('computes',),
                   lambda: [h.facts.compute for h in host_set.hosts])


def stat_value(compute, keys):
    """Integer compute stat: the first of ``keys`` set, else 0 (as Nova).

    None when the compute node is not reported, or the value is not an
    integer.
    """
    if compute is None:
        return None
    stats = compute.stats or {}
    for key in keys:
        if key in stats:
            try:
                return int(stats[key])
            except (TypeError, ValueError):
                return None
    return 0


def compute_stat(host_set, keys):
    """``(values, known)``: int64 column of ``stat_value(compute, keys)``.

    ``known`` is False where ``stat_value`` is None (``values`` 0 there).
    """
    def build():
        raw = [stat_value(c, keys) for c in computes(host_set)]
        known = np.array([v is not None for v in raw], dtype=bool)
        values = np.array([v or 0 for v in raw], dtype=np.int64)
        return values, known
    return _cached(host_set, ('stat', keys), build)


def instance_maps(host_set):
    """The hosts' ``{instance uuid: InstanceFacts}`` maps, as a list."""
    return _cached(host_set, ('instance_maps',),
                   lambda: [h.facts.instances for h in host_set.hosts])


def hosts_with_instances(host_set, uuids):
    """Int64 column: how many of ``uuids`` each host runs.

    One pass over the hosts per uuid (``uuids`` is a group's members or a
    hint's list, a few), not an index of every instance of every host.
    """
    known = instance_maps(host_set)
    count = np.zeros(len(host_set), dtype=np.int64)
    for uuid in set(uuids):
        count += np.array([uuid in m for m in known], dtype=bool)
    return count


def instances_known(host_set):
    """Bool column: some source holds a record of the host.

    An empty ``instances`` then means none.
    """
    return _cached(host_set, ('instances_known',), lambda: np.array(
        [h.facts is not host_facts.UNKNOWN for h in host_set.hosts],
        dtype=bool))


def availability_zones(host_set):
    """Object column of the hosts' availability zones (None unknown)."""
    return _cached(host_set, ('zones',), lambda: np.array(
        [h.availability_zone for h in host_set.hosts], dtype=object))
