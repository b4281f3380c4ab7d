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

"""Helpers the built-in filters share: hints, rebuilds, aggregate metadata.

Nova facts encoded here: a scheduler hint arrives as a list and a list of
one item stands for that item; a request is a rebuild when its
``_nova_check_type`` hint is ``['rebuild']``; aggregate metadata values
are comma-separated lists (``"a, b"`` is ``{'a', 'b'}``), merged over all
the aggregates of the host.
"""

import collections

from oslo_log import log as logging


LOG = logging.getLogger(__name__)


def scheduler_hint(spec, name, default=None):
    """The hint ``name``: its single value, its list, or ``default``."""
    value = (spec.scheduler_hints or {}).get(name, default)
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    return value


def is_rebuild(spec):
    """True when Nova asks only whether the current host suits a rebuild."""
    hints = spec.scheduler_hints or {}
    return hints.get('_nova_check_type') == ['rebuild']


def aggregates_of(host_state):
    return host_state.facts.aggregates


def aggregate_values(host_state, key):
    """The raw values of metadata ``key`` over the host's aggregates."""
    return {agg.metadata[key] for agg in aggregates_of(host_state)
            if key in agg.metadata}


def aggregate_metadata(host_state):
    """``{key: set of values}`` over the host's aggregates, split on ','."""
    metadata = collections.defaultdict(set)
    for agg in aggregates_of(host_state):
        for key, value in agg.metadata.items():
            metadata[key].update(v.strip() for v in str(value).split(','))
    return metadata


def aggregate_limit(host_state, key, default):
    """The smallest integer value of ``key`` over the host's aggregates.

    ``default`` when no aggregate sets it, or when a value is not an
    integer (as Nova, which logs and falls back to the option).
    """
    values = aggregate_values(host_state, key)
    if not values:
        return default
    try:
        return min(int(v) for v in values)
    except ValueError:
        LOG.warning('Aggregate metadata %(key)s of host %(host)s is not an '
                    'integer (%(values)s); using %(default)s',
                    {'key': key, 'host': host_state.host,
                     'values': ', '.join(sorted(values)),
                     'default': default})
        return default


def compute(host_state):
    """The host's ``ComputeFacts``, or None when no source reported it."""
    return host_state.facts.compute
