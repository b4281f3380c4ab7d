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

import weakref

import numpy as np
from oslo_log import log as logging

LOG = logging.getLogger(__name__)

MULTIPLIER_SUFFIX = '_weight_multiplier'
# Nova's compute node stats call the IO operations "io_workload".
_IO_OPS_KEYS = ('num_io_ops', 'io_workload')

_FACT_COLUMNS = weakref.WeakKeyDictionary()


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _stat(compute, keys):
    if compute is None:
        return 0
    for key in keys:
        if key in compute.stats:
            return _int(compute.stats[key])
    return 0


def num_io_ops(host_state):
    return (_stat(host_state.facts.compute, _IO_OPS_KEYS) +
            host_state.placed)


def num_instances(host_state):
    return (_stat(host_state.facts.compute, ('num_instances',)) +
            host_state.placed)


def failed_builds(host_state):
    return _stat(host_state.facts.compute, ('failed_builds',))


def hypervisor_version(host_state):
    compute = host_state.facts.compute
    if compute is None:
        return 0
    return _int(compute.hypervisor_version)


def free_pci_devices(host_state):
    compute = host_state.facts.compute
    if compute is None:
        return 0
    return sum(_int(pool.get('count', 0)) for pool in compute.pci_pools)


def metrics(host_state):
    compute = host_state.facts.compute
    return compute.metrics if compute is not None else {}


class _Facts:
    """Fact columns of one host set, read in one pass over its hosts."""

    def __init__(self, host_set):
        hosts = host_set.hosts
        n = len(hosts)
        self.io_ops = np.zeros(n, dtype=float)
        self.instances = np.zeros(n, dtype=float)
        self.failed_builds = np.zeros(n, dtype=float)
        self.hypervisor_version = np.zeros(n, dtype=float)
        self.pci_free = np.zeros(n, dtype=float)
        # {multiplier key: {host index: {metadata values}}}
        self.overrides = {}
        for i, host in enumerate(hosts):
            facts = host.facts
            compute = facts.compute
            if compute is not None:
                stats = compute.stats
                if stats:
                    self.io_ops[i] = _stat(compute, _IO_OPS_KEYS)
                    self.instances[i] = _stat(compute, ('num_instances',))
                    self.failed_builds[i] = _stat(compute, ('failed_builds',))
                if compute.hypervisor_version:
                    self.hypervisor_version[i] = _int(
                        compute.hypervisor_version)
                if compute.pci_pools:
                    self.pci_free[i] = free_pci_devices(host)
            for aggregate in facts.aggregates:
                for key, value in aggregate.metadata.items():
                    if key.endswith(MULTIPLIER_SUFFIX):
                        self.overrides.setdefault(key, {}).setdefault(
                            i, set()).add(value)
        self._multipliers = {}

    def multipliers(self, key, configured):
        """Float column of ``key``'s multiplier over all hosts."""
        column = self._multipliers.get((key, configured))
        if column is None:
            column = np.full(len(self.io_ops), float(configured))
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


def members_on_hosts(host_set, members):
    """Float column: how many of ``members`` each host runs."""
    if not members:
        return np.zeros(len(host_set))
    return np.fromiter(
        (len(members.intersection(h.facts.instances))
         for h in host_set.hosts), float, len(host_set))
