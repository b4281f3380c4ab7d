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

from scheduler.filters import base as filters_base
from scheduler.host_facts import base
from scheduler.host_facts import store
from scheduler.host_state import facts
from scheduler import plugins

_ORDER = (base.OK, base.STALE, base.FAILED)


AGGREGATES_FROM_CASTS_ONLY = (
    'no configured source reads aggregates: until Nova casts '
    'update_aggregates (it does when an aggregate changes), requests whose '
    'answer depends on aggregates (an availability zone, tenant or '
    'isolated aggregates) are refused; configure [host_facts] sources = '
    'nova_db (or file)')


def fact_readers(filters):
    """``{fact: [names]}`` of the ``(name, filter)`` pairs reading it."""
    readers = {}
    for name, flt in filters:
        for fact in sorted(flt.reads_facts):
            readers.setdefault(fact, []).append(name)
    return readers


def unreported(sources, readers):
    """Warnings: facts enabled plugins read that no source reports well.

    :param sources: the configured ``HostFactsSource`` objects, ``rpc``
        included.
    :param readers: ``{fact: [plugin names]}`` (``fact_readers``).
    """
    suppliers = {fact: sorted(s.name for s in sources if fact in s.supplies)
                 for fact in readers}
    warnings = []
    compute = readers.get(facts.COMPUTE)
    if compute and not suppliers[facts.COMPUTE]:
        warnings.append(
            '%s read compute services and details, which no configured '
            'source reports: %s; %s'
            % (', '.join(compute),
               'ComputeFilter refuses every host, the others the requests '
               'that depend on them' if 'ComputeFilter' in compute else
               'they refuse every host for the requests that depend on '
               'them', store.NOVA_DB_FIX))
    instances = readers.get(facts.INSTANCES)
    if instances and suppliers[facts.INSTANCES] == ['rpc']:
        warnings.append(
            '%s read instance lists, which come from Nova\'s casts only: '
            'a host is refused until its nova-compute sends its full list '
            '(sync_instance_info); %s' % (
                ', '.join(instances),
                store.instances_fix(sources)))
    return warnings


def check(conf):
    """``(worst state, [one line per source], [warnings])``.

    :raises: PluginLoadError.
    """
    lines = []
    worst = base.OK
    aggregates_read = False
    sources = store.load_sources(conf)
    readers = fact_readers(plugins.load_named(
        plugins.FILTER_NAMESPACE, conf.filter_scheduler.enabled_filters,
        conf, interface=filters_base.BaseHostFilter))
    fact_warnings = unreported([s for _, s in sources], readers)
    for name, source in sources:
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
    return worst, lines, warnings + fact_warnings
