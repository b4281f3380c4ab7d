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

"""Host facts the built-in weighers read, per host and as columns.

Per host, the weighers read ``HostState.facts`` (see
``scheduler.host_state.facts``); a fact that is not known counts 0, as an
unset value does in Nova. The columns are the host set's
``scheduler.host_state.columns.fact_table``, which the filters read too,
plus what earlier instances of a multi-create took: each consumed instance
adds one instance and one IO operation to its host, as Nova's host state
does.

Aggregate overrides: a weigher's ``<name>_weight_multiplier`` may be set in
the metadata of the host's aggregates. When several aggregates of the host
set it, the lowest value wins; a value that is not a number makes the host
use the configured multiplier (with a warning), as in Nova.
"""

import numpy as np
from oslo_log import log as logging

from scheduler.host_state import columns

LOG = logging.getLogger(__name__)

_number = columns.number
fact_columns = columns.fact_table

_NO_STATS = {}


def _stats(compute):
    return compute.stats if compute is not None else _NO_STATS


def _io_ops(stats):
    # Keep in step with columns._row.
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


def metrics_of(facts):
    """The metrics a host's ``HostFacts`` report (``{}`` if none)."""
    compute = facts.compute
    return compute.metrics if compute is not None else {}


def consumed(host_set):
    """Float column: instances of this request already placed per host."""
    return host_set.placed.astype(float)


def aggregate_multiplier(host_state, key, configured):
    """``key``'s multiplier for a host: its aggregates' or ``configured``."""
    values = {aggregate.metadata[key]
              for aggregate in host_state.facts.aggregates
              if key in aggregate.metadata}
    if not values:
        return float(configured)
    return columns.decode_multiplier(values, key, configured)


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
    counts = map(len, map(members.intersection,
                          columns.instance_maps(host_set)))
    return np.fromiter(counts, float, len(host_set)) + consumed(host_set)
