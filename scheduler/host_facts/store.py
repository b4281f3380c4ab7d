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

"""All host-facts sources of a worker, merged into per-host records.

``HostFactsStore`` loads ``rpc`` plus ``[host_facts] sources`` (stevedore
namespace ``scheduler.host_facts``; a name that does not load stops the
service naming it). Where two sources know the same fact, the earlier one
wins (``rpc`` first). An aggregate is known by its id, else its uuid. A
host's availability zone is, as in Nova, the sorted, comma-joined zones of
its aggregates' ``availability_zone`` metadata.

The merged ``{host name: HostFacts}`` of every known host is kept up to
date as the sources change, not computed per request: a source that
replaces one host's record names that host in ``take_changed()``, and
only that host is merged again; one that replaces its records as a whole
(a reload), or a change of the aggregates, merges every host again. So a
request gets, for each host nothing changed of, the same ``HostFacts``
object, with the columns the pipeline derived from it
(``scheduler.host_state.columns``).
"""

import threading

from oslo_log import log as logging

from scheduler.host_facts import base
from scheduler.host_facts import rpc
from scheduler.host_state import facts
from scheduler import plugins

LOG = logging.getLogger(__name__)

NAMESPACE = 'scheduler.host_facts'


def load_sources(conf):
    """``[(name, source)]``: ``rpc`` then ``[host_facts] sources``."""
    names = ['rpc'] + [n for n in conf.host_facts.sources if n != 'rpc']
    return plugins.load_named(NAMESPACE, names, conf)


class _Merged:
    """Aggregates of all sources, indexed by host, for one data version."""

    def __init__(self, snapshots):
        self.snapshots = snapshots
        self.aggregates = {}
        for aggregates in snapshots:
            for key, aggregate in aggregates.items():
                self.aggregates.setdefault(key, aggregate)
        by_host = {}
        for aggregate in self.aggregates.values():
            for host in aggregate.hosts:
                by_host.setdefault(host, []).append(aggregate)
        self.by_host = {h: tuple(a) for h, a in by_host.items()}
        self.zones = {}
        for host, aggregates in self.by_host.items():
            zones = sorted({a.availability_zone for a in aggregates
                            if a.availability_zone})
            if zones:
                self.zones[host] = ','.join(zones)


def _merge(name, records, view):
    """``HostFacts`` of ``name`` (None if nothing is known of it).

    ``records``: each source's ``{host name: SourceHost}``, earliest
    first; the earliest source that knows a field wins.
    """
    found = [h for h in (r.get(name) for r in records) if h is not None]
    aggregates = view.by_host.get(name, ())
    if not found and not aggregates:
        return None
    with_instances = next((h for h in found if h.instances is not None),
                          None)
    return facts.HostFacts(
        aggregates=aggregates,
        instances=(with_instances.instances if with_instances is not None
                   else {}),
        instances_known=(with_instances is not None and
                         with_instances.instances_complete),
        compute=next((h.compute for h in found
                      if h.compute is not None), None),
        cell_uuid=next((h.cell_uuid for h in found
                        if h.cell_uuid is not None), None),
        availability_zone=view.zones.get(name))


# What makes a fact known, as the warnings and refusals word it.
NOVA_DB_FIX = 'configure [host_facts] sources = nova_db'
READ_INSTANCES_FIX = 'set [host_facts_nova_db] read_instances = True'


def instances_fix(sources):
    """The fix for instance lists that only Nova's casts report.

    With ``nova_db`` among the configured ``sources``, it is set not to
    read them.
    """
    if any(source.name == 'nova_db' for source in sources):
        return READ_INSTANCES_FIX
    return NOVA_DB_FIX


def missing_reason(fact, suppliers, sources=()):
    """Why ``fact`` is unknown for a host, given the sources reporting it.

    ``suppliers`` are the names of the configured ``sources`` that report
    the fact (``rpc`` included).
    """
    if fact == facts.COMPUTE:
        if not suppliers:
            return ('no configured host-facts source reports nova-compute '
                    'services; %s' % NOVA_DB_FIX)
        return ('not reported by %s (no compute node or service there)'
                % ', '.join(suppliers))
    if suppliers == ['rpc']:
        return ('no full instance list from their nova-compute since '
                'start; %s, or wait for the computes\' next '
                'sync_instance_info' % instances_fix(sources))
    return 'not reported by %s' % ', '.join(suppliers)


class HostFactsStore:
    """What the pipeline and the RPC casts use of the host-facts sources."""

    def __init__(self, conf, sources=None):
        self.conf = conf
        if sources is None:
            sources = [s for _, s in load_sources(conf)]
        self.sources = list(sources)
        rpc_sources = [s for s in self.sources
                       if isinstance(s, rpc.RPCSource)]
        if rpc_sources:
            self.rpc = rpc_sources[0]
        else:
            self.rpc = rpc.RPCSource(conf)
            self.sources.insert(0, self.rpc)
        self.rpc.on_out_of_date = self._host_out_of_date
        self._lock = threading.Lock()
        self._merged = _Merged(())
        # The merged facts, and what they were merged from: the aggregates
        # view and each source's records() dict.
        self._facts_lock = threading.Lock()
        self._facts = {}
        self._facts_view = None
        self._facts_records = ()

    # Life cycle.

    def start(self):
        for source in self.sources:
            source.start()
        unknown = self.aggregates_unknown()
        if unknown:
            LOG.warning('Host facts: %s. Until then, requests whose answer '
                        'depends on aggregates (an availability zone, '
                        'tenant or isolated aggregates) are refused.',
                        unknown)

    def stop(self):
        for source in self.sources:
            source.stop()

    def reload(self):
        """SIGHUP: let every source re-read what it reads on reload."""
        for source in self.sources:
            source.reload()

    def _host_out_of_date(self, host_name):
        for source in self.sources:
            if source is not self.rpc:
                source.host_out_of_date(host_name)

    # The casts, as scheduler.rpc.payloads reads them: AggregateFacts and
    # InstanceFacts records.

    def update_aggregates(self, aggregates):
        self.rpc.update_aggregates(aggregates)

    def delete_aggregate(self, aggregate):
        self.rpc.delete_aggregate(aggregate)

    def update_instances(self, host_name, instances):
        self.rpc.update_instances(host_name, instances)

    def delete_instance(self, host_name, instance_uuid):
        self.rpc.delete_instance(host_name, instance_uuid)

    def sync_instances(self, host_name, instance_uuids):
        return self.rpc.sync_instances(host_name, instance_uuids)

    # Readers.

    def _view(self):
        # Aggregates: the sources that read them (Nova's databases, the
        # operator's file) win over the casts, which only echo them and
        # may not have arrived yet.
        snapshots = tuple(s.aggregates() for s in self.sources
                          if s is not self.rpc) + (self.rpc.aggregates(),)
        merged = self._merged
        if (len(snapshots) != len(merged.snapshots) or
                any(a is not b for a, b in zip(snapshots,
                                               merged.snapshots))):
            merged = _Merged(snapshots)
            with self._lock:
                self._merged = merged
        return merged

    def aggregates(self):
        """``{id or uuid: AggregateFacts}`` of every source."""
        return dict(self._view().aggregates)

    def aggregates_of_host(self, host_name):
        return list(self._view().by_host.get(host_name, ()))

    def availability_zones(self):
        """``{host name: zone}`` from the aggregates' metadata."""
        return dict(self._view().zones)

    def instances_of_host(self, host_name):
        """``{uuid: InstanceFacts}`` of the first source that knows."""
        for source in self.sources:
            known = source.host(host_name)
            if known is not None and known.instances is not None:
                return dict(known.instances)
        return {}

    def known_facts(self):
        """``{host name: HostFacts}`` of every host anything is known of.

        A host no source has a record of and no aggregate names has no
        entry. The mapping is shared with other requests and must not be
        modified; it does not change once returned (a later call returns
        another one when something changed).
        """
        with self._facts_lock:
            # Changes first: one made after take_changed() is read from the
            # records now and merged again on the next call.
            changed = set()
            for source in self.sources:
                changed.update(source.take_changed())
            records = tuple(s.records() for s in self.sources)
            view = self._view()
            if (view is not self._facts_view or
                    any(a is not b
                        for a, b in zip(records, self._facts_records))):
                self._facts = self._merge_all(records, view)
                self._facts_view = view
                self._facts_records = records
            elif changed:
                merged = dict(self._facts)
                for name in changed:
                    host_facts = _merge(name, records, view)
                    if host_facts is None:
                        merged.pop(name, None)
                    else:
                        merged[name] = host_facts
                self._facts = merged
            return self._facts

    @staticmethod
    def _merge_all(records, view):
        names = set(view.by_host)
        for hosts in records:
            # A snapshot of the keys: casts may add hosts meanwhile.
            names.update(list(hosts))
        merged = {}
        for name in names:
            host_facts = _merge(name, records, view)
            if host_facts is not None:
                merged[name] = host_facts
        return merged

    def before_request(self):
        for source in self.sources:
            source.before_request()

    def catch_up(self, host_names):
        """Let the sources read hosts they have never heard of."""
        host_names = list(host_names)
        for source in self.sources:
            source.catch_up(host_names)

    def refused(self, host_names):
        """``{host name: reason}`` of the hosts that must not be chosen."""
        host_names = list(host_names)
        refused = {}
        for source in self.sources:
            for name, reason in source.refused_hosts(host_names).items():
                refused.setdefault(name, reason)
        return refused

    def aggregates_unknown(self):
        """Why aggregates are not known yet, or None when they are.

        Known when a source that reads them has (the ``rpc`` source: once
        a cast about aggregates arrived since start). Until then an empty
        set of aggregates is not evidence that none exist.
        """
        if any(s.knows_aggregates() for s in self.sources):
            return None
        readers = sorted(s.name for s in self.sources
                         if s.supplies_aggregates and s is not self.rpc)
        if readers:
            return ('no aggregate facts yet: source(s) %s have not loaded'
                    % ', '.join(readers))
        return ('no aggregate facts since start: the rpc source has had no '
                'update_aggregates cast; %s (or file), or wait for '
                'update_aggregates' % NOVA_DB_FIX)

    def missing(self, fact):
        """Why a host's ``fact`` may be unknown, naming who would tell.

        ``fact`` is ``facts.INSTANCES`` or ``facts.COMPUTE``.
        """
        return missing_reason(
            fact, [s.name for s in self.sources if fact in s.supplies],
            self.sources)

    def missing_reasons(self):
        """``{fact: reason}`` for the per-host facts, as ``missing``."""
        return {fact: self.missing(fact)
                for fact in (facts.INSTANCES, facts.COMPUTE)}

    def health(self):
        """``[base.Health]``, one per source."""
        return [s.health() for s in self.sources]

    def worst_state(self):
        order = (base.OK, base.STALE, base.FAILED)
        return max((h.state for h in self.health()), key=order.index)
