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

"""One-shot health of the configured host-facts sources, for
``scheduler-status``.

It loads the sources as a worker does and reads each once, without
starting their background refresh. The ``rpc`` source lives in each
worker's memory, fed by casts; here it can only be said to be on.
"""

from scheduler.host_facts import base
from scheduler.host_facts import store

_ORDER = (base.OK, base.STALE, base.FAILED)


AGGREGATES_FROM_CASTS_ONLY = (
    'no configured source reads aggregates: until Nova casts '
    'update_aggregates (it does when an aggregate changes), requests whose '
    'answer depends on aggregates (an availability zone, tenant or '
    'isolated aggregates) are refused; configure [host_facts] sources = '
    'nova_db (or file)')


def check(conf):
    """``(worst state, [one line per source], [warnings])``.

    :raises: PluginLoadError.
    """
    lines = []
    worst = base.OK
    aggregates_read = False
    for name, source in store.load_sources(conf):
        if name == 'rpc':
            lines.append('rpc: on (fed by Nova\'s casts in each worker)')
            continue
        if source.age() is None:
            source.refresh()
        health = source.health()
        aggregates_read = aggregates_read or source.knows_aggregates()
        source.stop()
        lines.append(health.describe())
        worst = max(worst, health.state, key=_ORDER.index)
    warnings = [] if aggregates_read else [AGGREGATES_FROM_CASTS_ONLY]
    return worst, lines, warnings
