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

The numbers filters and weighers both read (``fact_table``) are derived
once per ``HostFacts`` record and kept in its ``row``: the store
hands out the same record while nothing about the host changed, so a
request only gathers its hosts' rows.
"""

import operator

import numpy as np
from oslo_log import log as logging

from scheduler.host_state import facts as host_facts

LOG = logging.getLogger(__name__)

MULTIPLIER_SUFFIX = '_weight_multiplier'


def _cached(host_set, key, build):
    columns = host_set.derived
    if key not in columns:
        columns[key] = build()
    return columns[key]


def frozen(value):
    """A hashable image of a JSON-like value.

    A tuple that is hashable already is itself (the common key of a
    grouping, made once per host: no walk through it).
    """
    if isinstance(value, dict):
        return tuple(sorted((k, frozen(v)) for k, v in value.items()))
    if isinstance(value, tuple):
        try:
            hash(value)
            return value
        except TypeError:
            return tuple(frozen(v) for v in value)
    if isinstance(value, (list, set, frozenset)):
        return tuple(frozen(v) for v in value)
    return value


def groups(host_set, name, key, freeze=False):
    """``(representatives, inverse)`` of the hosts grouped by ``key(facts)``.

    ``key`` reads a host's ``HostFacts`` (``host_set.facts[i]``) and
    returns a hashable value, or (``freeze=True``) a JSON-like one made
    hashable here. ``representatives`` are host indices, one per distinct
    key; ``inverse[i]`` is the group of host ``i``. ``name`` names the
    grouping in the cache and must identify ``key``.
    """
    def build():
        seen = {}
        reps = []
        inverse = np.empty(len(host_set), dtype=np.int64)
        for i, record in enumerate(host_set.facts):
            k = frozen(key(record)) if freeze else key(record)
            group = seen.get(k)
            if group is None:
                group = seen[k] = len(reps)
                reps.append(i)
            inverse[i] = group
        return reps, inverse
    return _cached(host_set, ('groups', name), build)


def mask_by_group(host_set, name, key, passes, freeze=False):
    """Bool column: ``passes(host)`` evaluated once per group of ``key``.

    ``passes`` gets the ``HostState`` of the group's first host.
    """
    reps, inverse = groups(host_set, name, key, freeze)
    results = np.fromiter((bool(passes(host_set.hosts[i])) for i in reps),
                          bool, len(reps))
    return results[inverse]


def aggregate_key(facts):
    """A host's aggregate records: hosts sharing them share a key.

    By identity: the facts sources hand out one record per aggregate, so
    this is cheap and groups well; equal records that are distinct objects
    only make more groups, never a wrong answer.
    """
    return tuple(map(id, facts.aggregates))


def _name_list(host_set, attr):
    return host_set.node_names if attr == 'nodename' else host_set.host_names


def names(host_set, attr='host'):
    """Object column of lower-cased host (``attr='nodename'``: node) names."""
    return _cached(host_set, ('names', attr), lambda: np.array(
        [(name or '').lower() for name in _name_list(host_set, attr)],
        dtype=object))


def name_in(host_set, wanted, attr='host', case_sensitive=True):
    """Bool column: the host's name is in ``wanted``."""
    if case_sensitive:
        return np.fromiter(map(set(wanted).__contains__,
                               _name_list(host_set, attr)),
                           bool, len(host_set))
    wanted = {w.lower() for w in wanted if w}
    return np.isin(names(host_set, attr), list(wanted))


def computes(host_set):
    """The hosts' ``ComputeFacts`` (None where not reported), as a list."""
    return _cached(host_set, ('computes',),
                   lambda: [f.compute for f in host_set.facts])


def number(value):
    """A fact as a float; anything that is not a finite number is 0."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return 0.0
    return value if np.isfinite(value) else 0.0


# The numeric columns of ``FactTable``, in the order of a record's row.
NUMBERS = ('io_ops', 'instances', 'failed_builds', 'hypervisor_version',
           'pci_free', 'service_ok', 'no_compute', 'overridden')
# No compute record: the service is not known to be up (service_ok 0).
_NO_COMPUTE = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0)
_ROW = operator.attrgetter('row')
_NUMBERS_OF = operator.itemgetter(0)


def _row(facts):
    """``(numbers, overrides)`` of one ``HostFacts`` record.

    ``numbers`` (float64 bytes) follows ``NUMBERS``: a fact that is not
    known counts 0, as an unset value does in Nova; Nova's compute stats
    call the IO operations ``io_workload``; ``overridden`` flags a host
    with ``overrides``, which maps each ``*_weight_multiplier`` key of the
    host's aggregates to the set of its values.
    """
    compute = facts.compute
    if compute is None:
        numbers = _NO_COMPUTE
    else:
        stats = compute.stats or {}
        numbers = (
            number(stats.get('num_io_ops', stats.get('io_workload', 0))),
            number(stats.get('num_instances', 0)),
            number(stats.get('failed_builds', 0)),
            number(compute.hypervisor_version),
            float(sum(number(pool.get('count', 0))
                      for pool in compute.pci_pools or ())),
            float(not compute.service_disabled and
                  compute.service_up is not False),
            0.0)
    overrides = {}
    for aggregate in facts.aggregates:
        for key, value in aggregate.metadata.items():
            if key.endswith(MULTIPLIER_SUFFIX):
                overrides.setdefault(key, set()).add(value)
    numbers += (float(bool(overrides)),)
    # Packed, so that a host set joins its rows' bytes into one table.
    facts.row = (np.array(numbers, dtype=float).tobytes(), overrides)
    return facts.row


def decode_multiplier(values, key, configured):
    """The lowest of ``values`` as a float; ``configured`` if one is bad."""
    try:
        return min(float(v) for v in values)
    except (TypeError, ValueError) as e:
        LOG.warning('Could not decode %(key)s from aggregate metadata, '
                    'using the configured %(value)s: %(error)s',
                    {'key': key, 'value': configured, 'error': e})
        return float(configured)


def _row_of(record):
    return record.row or _row(record)


def _rows(records):
    rows = list(map(_ROW, records))
    if None in rows:
        rows = [r or _row(f) for r, f in zip(rows, records)]
    return rows


# Reuse the last table when at most this share of its hosts changed.
_REUSE_UP_TO = 0.25


class FactTableMemory:
    """The records and fact table of the last host set, to start the next.

    One per driver, handed to each host set it builds. Consecutive
    requests mostly see the same hosts in the same order (Placement's
    order, unless randomised), and a host's record is the same object
    while nothing changed of it: comparing the two lists of records
    compares pointers and reads no record, while reading 10,000 rows
    reads 10,000 records scattered in memory (a few ms). When no record
    changed, the next set gets the last ``FactTable`` itself, with the
    multiplier columns it derived.
    """

    def __init__(self):
        self._last = (None, None)

    def table(self, records):
        """The ``FactTable`` of ``records``, from the last one if it can."""
        last_records, last = self._last
        if records is last_records:
            return last
        table = None
        if last_records is not None and len(last_records) == len(records):
            if all(map(operator.is_, records, last_records)):
                return last
            table = self._patched(records, last_records, last)
        table = FactTable(records, table)
        # One assignment: a concurrent request sees the old or the new.
        # The list itself: host sets never change theirs, and the next set
        # may have the same one (``rows.Rows``).
        self._last = (records, table)
        return table

    @staticmethod
    def _patched(records, last_records, last):
        """The last table's rows, the changed records' read again; or None."""
        changed = np.flatnonzero(np.fromiter(
            map(operator.is_not, records, last_records), bool, len(records)))
        if len(changed) > _REUSE_UP_TO * len(records):
            return None
        table = last.rows.copy()
        for i in changed.tolist():
            table[i] = np.frombuffer(_row_of(records[i])[0], dtype=float)
        return table


class FactTable:
    """The numeric host facts of one host set, one float column each.

    Attributes are named by ``NUMBERS``; ``service_ok``, ``no_compute``
    and ``overridden`` are 1.0/0.0 flags; ``rows`` is the whole table, a
    row per host. Read-only: a ``FactTableMemory`` hands one table to
    several requests. Built by ``fact_table``.
    """

    def __init__(self, records, rows=None):
        n = self.size = len(records)
        if rows is None:
            rows = np.frombuffer(b''.join(map(_NUMBERS_OF, _rows(records))),
                                 dtype=float).reshape(n, len(NUMBERS))
        self.rows = _read_only(rows)
        for j, name in enumerate(NUMBERS):
            setattr(self, name,
                    _read_only(np.ascontiguousarray(rows[:, j])))
        self.overrides = {}
        for i in np.flatnonzero(self.overridden).tolist():
            for key, values in _row_of(records[i])[1].items():
                self.overrides.setdefault(key, {})[i] = values
        self._multipliers = {}

    def multipliers(self, key, configured):
        """Float column of ``key``'s multiplier over all hosts.

        Where the host's aggregates set ``key``, their lowest value; a
        value that is not a number makes the host use ``configured`` (with
        a warning), as in Nova.
        """
        column = self._multipliers.get((key, configured))
        if column is None:
            column = np.full(self.size, float(configured))
            for i, values in self.overrides.get(key, {}).items():
                column[i] = decode_multiplier(values, key, configured)
            # Two requests sharing the table may both make it: same value.
            column = self._multipliers[(key, configured)] = _read_only(
                column)
        return column


def _read_only(array):
    array.flags.writeable = False
    return array


def fact_table(host_set):
    """The ``FactTable`` of ``host_set``, built on first use."""
    def build():
        memory = host_set.fact_memory
        if memory is None:
            return FactTable(host_set.facts)
        return memory.table(host_set.facts)
    return _cached(host_set, ('fact_table',), build)


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
                   lambda: [f.instances for f in host_set.facts])


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
    """Bool column: a source reported the host's whole instance list.

    An empty ``instances`` then means none; elsewhere it means "not heard".
    """
    return _cached(host_set, ('instances_known',), lambda: np.array(
        [f.instances_known for f in host_set.facts], dtype=bool))


def compute_known(host_set):
    """Bool column: a source reported the host's compute node."""
    return fact_table(host_set).no_compute == 0


def fact_unknown(host_set, fact):
    """Bool column: where ``fact`` (``INSTANCES``/``COMPUTE``) is unknown."""
    if fact == host_facts.INSTANCES:
        return ~instances_known(host_set)
    if fact == host_facts.COMPUTE:
        return ~compute_known(host_set)
    raise ValueError('not a per-host fact: %s' % fact)


def availability_zones(host_set):
    """Object column of the hosts' availability zones (None unknown)."""
    return _cached(host_set, ('zones',), lambda: np.array(
        host_set.zones, dtype=object))
