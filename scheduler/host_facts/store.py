"""All host-facts sources of a worker, merged into per-host records.

``HostFactsStore`` loads ``rpc`` plus ``[host_facts] sources`` (stevedore
namespace ``scheduler.host_facts``; a name that does not load stops the
service naming it). Where two sources know the same fact, the earlier one
wins (``rpc`` first). An aggregate is known by its id, else its uuid. A
host's availability zone is, as in Nova, the sorted, comma-joined zones of
its aggregates' ``availability_zone`` metadata.

A host's merged ``HostFacts`` is kept until one of its sources' records
or the aggregates change: sources replace a record (and their aggregate
snapshot) rather than change it, so identity says whether anything did,
and a request gets the same record, with the columns the pipeline derived
from it (``scheduler.host_state.columns``), while nothing changed.
"""

import threading

from oslo_log import log as logging

from scheduler.conf import host_facts as host_facts_conf
from scheduler.host_facts import base
from scheduler.host_facts import rpc
from scheduler.host_state import facts
from scheduler import plugins

LOG = logging.getLogger(__name__)

NAMESPACE = 'scheduler.host_facts'


def load_sources(conf):
    """``[(name, source)]``: ``rpc`` then ``[host_facts] sources``."""
    host_facts_conf.register_opts(conf)
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
        # (merged view, {host name: (source records, HostFacts)}), replaced
        # as a whole when the view changes.
        self._facts = (self._merged, {})

    # Life cycle.

    def start(self):
        for source in self.sources:
            source.start()

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

    # The casts (scheduler.rpc.payloads records or plain dicts).

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
        snapshots = tuple(s.aggregates() for s in self.sources)
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

    def facts_for(self, host_names):
        """``{host name: HostFacts}`` for the hosts anything is known of."""
        view = self._view()
        known_view, known = self._facts
        if known_view is not view:
            known = {}
            self._facts = (view, known)
        result = {}
        for name in host_names:
            records = tuple([s.host(name) for s in self.sources])
            cached = known.get(name)
            if cached is not None and all(
                    a is b for a, b in zip(cached[0], records)):
                result[name] = cached[1]
                continue
            found = [h for h in records if h is not None]
            aggregates = view.by_host.get(name, ())
            if not found and not aggregates:
                continue
            host_facts = facts.HostFacts(
                aggregates=aggregates,
                instances=next((h.instances for h in found
                                if h.instances is not None), {}),
                compute=next((h.compute for h in found
                              if h.compute is not None), None),
                cell_uuid=next((h.cell_uuid for h in found
                                if h.cell_uuid is not None), None),
                availability_zone=view.zones.get(name))
            result[name] = host_facts
            known[name] = (records, host_facts)
        return result

    def refused(self, host_names):
        """``{host name: reason}`` of the hosts that must not be chosen."""
        host_names = list(host_names)
        refused = {}
        for source in self.sources:
            for name, reason in source.refused_hosts(host_names).items():
                refused.setdefault(name, reason)
        return refused

    def health(self):
        """``[base.Health]``, one per source."""
        return [s.health() for s in self.sources]

    def worst_state(self):
        order = (base.OK, base.STALE, base.FAILED)
        return max((h.state for h in self.health()), key=order.index)
