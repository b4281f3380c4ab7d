"""Host facts the built-in weighers read, per host and as columns.

Per host, the weighers read ``HostState.facts`` (see
``scheduler.host_state.facts``); a fact that is not known counts 0, as an
unset value does in Nova. The column helpers read the same facts once per
``HostStateSet`` (cached for the life of the set) and add what earlier
instances of a multi-create took: each consumed instance adds one instance
and one IO operation to its host, as Nova's host state does.

Aggregate overrides: a weigher's ``<name>_weight_multiplier`` may be set in
the metadata of the host's aggregates. When several aggregates of the host
set it, the lowest value wins; a value that is not a number makes the host
use the configured multiplier (with a warning), as in Nova.
"""

import functools
import weakref

import numpy as np
from oslo_log import log as logging

LOG = logging.getLogger(__name__)

MULTIPLIER_SUFFIX = '_weight_multiplier'
# Nova's compute node stats call the IO operations "io_workload"; the
# facts model calls them "num_io_ops".

_FACT_COLUMNS = weakref.WeakKeyDictionary()


def _number(value):
    """A fact as a float; anything that is not a finite number is 0."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if np.isfinite(number) else 0.0


def _numbers(values):
    """Float array of ``_number(v)`` for ``values`` (a list)."""
    try:
        column = np.array(values, dtype=float)
    except (TypeError, ValueError):
        column = None
    if column is None or column.ndim != 1 or not np.isfinite(column).all():
        column = np.fromiter((_number(v) for v in values), float,
                             len(values))
    return column


_NO_STATS = {}


def _stats(compute):
    return compute.stats if compute is not None else _NO_STATS


def _io_ops(stats):
    # Keep in step with _Facts.io_ops, which inlines this.
    return stats.get('num_io_ops', stats.get('io_workload', 0))


def num_io_ops(host_state):
    return (_number(_io_ops(_stats(host_state.facts.compute))) +
            host_state.placed)


def num_instances(host_state):
    stats = _stats(host_state.facts.compute)
    return _number(stats.get('num_instances', 0)) + host_state.placed


def failed_builds(host_state):
    return _number(_stats(host_state.facts.compute).get('failed_builds', 0))


def hypervisor_version(host_state):
    compute = host_state.facts.compute
    return _number(compute.hypervisor_version) if compute is not None else 0.0


def free_pci_devices(host_state):
    compute = host_state.facts.compute
    if compute is None:
        return 0.0
    return sum(_number(pool.get('count', 0)) for pool in compute.pci_pools)


def metrics(host_state):
    compute = host_state.facts.compute
    return compute.metrics if compute is not None else {}


def _multiplier_metadata(aggregate):
    return [(key, value) for key, value in aggregate.metadata.items()
            if key.endswith(MULTIPLIER_SUFFIX)]


class _Facts:
    """Fact columns of one host set, each read once, when first needed."""

    def __init__(self, host_set):
        self.hosts = host_set.hosts
        self.size = len(self.hosts)
        self._multipliers = {}

    @functools.cached_property
    def _computes(self):
        return [h.facts.compute for h in self.hosts]

    @functools.cached_property
    def _stats(self):
        return [_stats(c) for c in self._computes]

    @functools.cached_property
    def io_ops(self):
        return _numbers([s.get('num_io_ops', s.get('io_workload', 0))
                         for s in self._stats])

    @functools.cached_property
    def instances(self):
        return _numbers([s.get('num_instances', 0) for s in self._stats])

    @functools.cached_property
    def failed_builds(self):
        return _numbers([s.get('failed_builds', 0) for s in self._stats])

    @functools.cached_property
    def hypervisor_version(self):
        return _numbers([c.hypervisor_version if c is not None else 0
                         for c in self._computes])

    @functools.cached_property
    def pci_free(self):
        return np.array(
            [sum(_number(pool.get('count', 0)) for pool in c.pci_pools)
             if c is not None and c.pci_pools else 0.0
             for c in self._computes], dtype=float)

    @functools.cached_property
    def overrides(self):
        """``{multiplier key: {host index: {metadata values}}}``."""
        result = {}
        by_aggregate = {}
        for i, aggregates in enumerate([h.facts.aggregates
                                        for h in self.hosts]):
            for aggregate in aggregates:
                pairs = by_aggregate.get(id(aggregate))
                if pairs is None:
                    pairs = by_aggregate[id(aggregate)] = (
                        _multiplier_metadata(aggregate))
                for key, value in pairs:
                    result.setdefault(key, {}).setdefault(i, set()).add(
                        value)
        return result

    def multipliers(self, key, configured):
        """Float column of ``key``'s multiplier over all hosts."""
        column = self._multipliers.get((key, configured))
        if column is None:
            column = np.full(self.size, float(configured))
            for i, values in self.overrides.get(key, {}).items():
                column[i] = _override(values, key, configured)
            self._multipliers[(key, configured)] = column
        return column


def fact_columns(host_set):
    """The cached ``_Facts`` of ``host_set``."""
    columns = _FACT_COLUMNS.get(host_set)
    if columns is None:
        columns = _FACT_COLUMNS[host_set] = _Facts(host_set)
    return columns


def consumed(host_set):
    """Float column: instances of this request already placed per host."""
    return host_set.placed.astype(float)


def _override(values, key, configured):
    try:
        return min(float(v) for v in values)
    except (TypeError, ValueError) as e:
        LOG.warning('Could not decode %(key)s from aggregate metadata, '
                    'using the configured %(value)s: %(error)s',
                    {'key': key, 'value': configured, 'error': e})
        return float(configured)


def aggregate_multiplier(host_state, key, configured):
    """``key``'s multiplier for a host: its aggregates' or ``configured``."""
    values = {aggregate.metadata[key]
              for aggregate in host_state.facts.aggregates
              if key in aggregate.metadata}
    if not values:
        return float(configured)
    return _override(values, key, configured)


def multiplier_column(host_set, key, configured):
    """``aggregate_multiplier`` for every host of ``host_set`` at once."""
    return fact_columns(host_set).multipliers(key, configured)


def parse_setting(pairs, option):
    """``[(name, ratio)]`` from ``name=ratio`` strings; bad ones ignored."""
    good = []
    bad = []
    for pair in pairs:
        name, sep, ratio = pair.partition('=')
        try:
            ratio = float(ratio)
        except ValueError:
            ratio = None
        if name and sep and ratio is not None:
            good.append((name, ratio))
        else:
            bad.append(pair)
    if bad:
        LOG.warning('Ignoring the invalid elements of %(option)s: '
                    '%(bad)s', {'option': option, 'bad': ', '.join(bad)})
    return good


def group_members(spec, policy):
    """Members of the request's server group if it has ``policy``."""
    group = spec.instance_group
    if group is None or group.policy != policy:
        return frozenset()
    return frozenset(group.members or ())


def members_on_host(host_state, members):
    """How many of ``members`` the host runs, this request's included.

    The instances of a request in a server group are members of it, so
    each instance already placed on the host counts, as Nova's host state
    records them.
    """
    if not members:
        return 0
    return (len(members.intersection(host_state.facts.instances)) +
            host_state.placed)


def members_on_hosts(host_set, members):
    """``members_on_host`` for every host of ``host_set`` at once."""
    if not members:
        return np.zeros(len(host_set))
    return np.fromiter(
        (len(members.intersection(h.facts.instances))
         for h in host_set.hosts), float, len(host_set)) + consumed(host_set)
