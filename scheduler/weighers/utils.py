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

"""Host facts the built-in weighers read, as columns.

A fact that is not known counts 0, as an unset value does in Nova. The
columns are the host set's
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

fact_columns = columns.fact_table


def metrics_of(facts):
    """The metrics a host's ``HostFacts`` report (``{}`` if none)."""
    compute = facts.compute
    return compute.metrics if compute is not None else {}


def consumed(host_set):
    """Float column: instances of this request already placed per host."""
    return host_set.placed.astype(float)


def multiplier_column(host_set, key, configured):
    """Float array: per host, ``key``'s multiplier from its aggregates.

    ``configured`` where no aggregate of the host sets it.
    """
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
    """Float column: how many of ``members`` each host runs.

    This request's instances included: the instances of a request in a
    server group are members of it, so each one already placed on a host
    counts, as Nova's host state records them.
    """
    if not members:
        return np.zeros(len(host_set))
    counts = map(len, map(members.intersection,
                          columns.instance_maps(host_set)))
    return np.fromiter(counts, float, len(host_set)) + consumed(host_set)
