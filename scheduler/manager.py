"""The scheduler manager: what the RPC endpoint calls.

``select_destinations`` hands the request to the driver loaded from
``[scheduler] driver`` (stevedore namespace ``scheduler.driver``; a name
that does not load raises ``PluginLoadError`` naming it, at start).

The fanout casts from Nova (aggregates and instance info) update an
in-memory record of host facts. It is per process, thread-safe and small;
nothing reads it yet beyond its accessors.
"""

import dataclasses
import threading

from oslo_config import cfg
from oslo_log import log as logging

from scheduler import exception
from scheduler import plugins

LOG = logging.getLogger(__name__)

# Fields of a Nova Instance kept in the record.
INSTANCE_FIELDS = ('uuid', 'host', 'node', 'project_id', 'user_id',
                   'availability_zone')
_FIELDS = ('id', 'name', 'hosts', 'metadata', 'objects') + INSTANCE_FIELDS


def _data(obj):
    """The fields of a record, as a dict.

    A record is a dict, a Nova object primitive, a Nova object, or any
    object with attributes (the RPC layer's dataclasses).
    """
    if hasattr(obj, 'obj_to_primitive'):
        obj = obj.obj_to_primitive()
    if isinstance(obj, dict):
        return obj.get('nova_object.data', obj)
    if dataclasses.is_dataclass(obj):
        return dataclasses.asdict(obj)
    return {name: getattr(obj, name) for name in _FIELDS
            if hasattr(obj, name)}


@dataclasses.dataclass(frozen=True)
class Aggregate:
    id: int | None
    uuid: str | None
    name: str | None
    hosts: frozenset
    metadata: dict

    @property
    def key(self):
        return self.id if self.id is not None else self.uuid

    @classmethod
    def from_wire(cls, aggregate):
        data = _data(aggregate)
        return cls(id=data.get('id'), uuid=data.get('uuid'),
                   name=data.get('name'),
                   hosts=frozenset(data.get('hosts') or ()),
                   metadata=dict(data.get('metadata') or {}))


def _instances(instance_info):
    """Instance field dicts from an InstanceList, a list or one Instance."""
    data = _data(instance_info)
    if isinstance(instance_info, (list, tuple)):
        items = instance_info
    elif 'objects' in data:
        items = data['objects'] or []
    else:
        items = [instance_info]
    result = []
    for item in items:
        fields = _data(item)
        if fields.get('uuid'):
            result.append({k: fields.get(k) for k in INSTANCE_FIELDS})
    return result


class HostFacts:
    """Aggregates by id and instances by host name, behind one lock."""

    def __init__(self):
        self._lock = threading.Lock()
        self._aggregates = {}
        self._instances = {}

    def update_aggregates(self, aggregates):
        with self._lock:
            for aggregate in aggregates:
                record = Aggregate.from_wire(aggregate)
                self._aggregates[record.key] = record

    def delete_aggregate(self, aggregate):
        with self._lock:
            self._aggregates.pop(Aggregate.from_wire(aggregate).key, None)

    def update_instances(self, host_name, instances):
        with self._lock:
            host = self._instances.setdefault(host_name, {})
            for instance in instances:
                host[instance['uuid']] = instance

    def delete_instance(self, host_name, instance_uuid):
        with self._lock:
            self._instances.get(host_name, {}).pop(instance_uuid, None)

    def sync_instances(self, host_name, instance_uuids):
        """Make the host's instances exactly ``instance_uuids``."""
        with self._lock:
            old = self._instances.get(host_name, {})
            self._instances[host_name] = {
                u: old.get(u, {'uuid': u, 'host': host_name})
                for u in instance_uuids}

    def aggregates(self):
        with self._lock:
            return dict(self._aggregates)

    def aggregates_of_host(self, host_name):
        with self._lock:
            return [a for a in self._aggregates.values()
                    if host_name in a.hosts]

    def availability_zones(self):
        """``{host name: zone}`` from aggregates' availability_zone."""
        with self._lock:
            zones = {}
            for aggregate in self._aggregates.values():
                zone = (aggregate.metadata or {}).get('availability_zone')
                if zone:
                    for host in aggregate.hosts:
                        zones.setdefault(host, zone)
            return zones

    def instances_of_host(self, host_name):
        """``{uuid: fields}`` of the instances known on ``host_name``."""
        with self._lock:
            return dict(self._instances.get(host_name, {}))


class SchedulerManager:
    """Serves the scheduler RPC API with a driver and the host facts."""

    def __init__(self, conf=None, driver=None):
        self.conf = conf if conf is not None else cfg.CONF
        if driver is None:
            driver = plugins.load_driver(self.conf.scheduler.driver,
                                         self.conf)
        self.driver = driver
        self.host_facts = HostFacts()
        self.driver.host_facts = self.host_facts

    def select_destinations(self, context, spec, instance_uuids=None,
                            return_alternates=False):
        """One list of ``Selection`` per instance; NoValidHost says why."""
        try:
            return self.driver.select_destinations(
                context, spec, instance_uuids, return_alternates)
        except exception.NoValidHost as e:
            # The caller gets the reason too; the operator sees it here,
            # once per request (Placement failures are also at ERROR).
            LOG.info('No valid host for %(n)d instance(s) of flavor '
                     '%(flavor)s: %(reason)s',
                     {'n': spec.num_instances, 'flavor': spec.flavor.name,
                      'reason': e.reason})
            raise

    def update_aggregates(self, context, aggregates):
        if not isinstance(aggregates, (list, tuple)):
            aggregates = [aggregates]
        self.host_facts.update_aggregates(aggregates)

    def delete_aggregate(self, context, aggregate):
        self.host_facts.delete_aggregate(aggregate)

    def update_instance_info(self, context, host_name, instance_info):
        self.host_facts.update_instances(host_name,
                                         _instances(instance_info))

    def delete_instance_info(self, context, host_name, instance_uuid):
        self.host_facts.delete_instance(host_name, instance_uuid)

    def sync_instance_info(self, context, host_name, instance_uuids):
        self.host_facts.sync_instances(host_name, instance_uuids or [])
        LOG.debug('Synced %(n)d instances of %(host)s',
                  {'n': len(instance_uuids or []), 'host': host_name})
