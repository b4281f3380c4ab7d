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

"""The ``nova_db`` source: Nova's API and cell databases, read-only.

Every ``[host_facts_nova_db] refresh_interval`` seconds (and early when an
instance sync says a host was out of date) it reads, as Nova's host
manager does:

- from the API database: aggregates with their hosts and metadata, cell
  mappings, host mappings;
- from each enabled cell's database (cell0 has no hosts): nova-compute
  services (disabled, forced down, last heartbeat), compute nodes
  (hypervisor, CPU info, NUMA topology, PCI pools, metrics, stats) and
  their instances.

Before every request it also reads what Nova's scheduler reads for every
request and can change from one request to the next: the aggregates, and
the compute services changed since its last read.

Nothing is ever written: connections are opened read-only (sqlite
``query_only``, MySQL and PostgreSQL read-only sessions) and only SELECTs
are issued. A cell whose database fails keeps its last good data for
``[host_facts] max_stale_seconds``, then its hosts are refused; hosts of a
disabled cell, and hosts with no compute node in any enabled cell, are
refused, as Nova does not schedule to them. Connection URLs carry
passwords: they are never logged.
"""

import calendar
import dataclasses
import datetime
import json
import re
import threading
import time

from oslo_db.sqlalchemy import engines
from oslo_log import log as logging
from oslo_utils import strutils
from oslo_utils import timeutils
import sqlalchemy as sa

from scheduler.host_facts import base
from scheduler.host_facts import instances as compact
from scheduler.host_facts import nova_tables as t
from scheduler.host_state import facts
from scheduler.rpc import readers

LOG = logging.getLogger(__name__)

CELL0_UUID = '00000000-0000-0000-0000-000000000000'
# Seconds between two reads caused by hosts not seen yet.
CATCH_UP_INTERVAL = 1.0
_URL_PASSWORD = re.compile(r'(://[^:/@\s]*:)[^@\s]*@')


def mask(text):
    """``text`` without the passwords of any connection URL in it."""
    return strutils.mask_password(_URL_PASSWORD.sub(r'\1***@', str(text)))


def _read_only(dbapi_connection, connection_record, dialect_name):
    cursor = dbapi_connection.cursor()
    try:
        if dialect_name == 'sqlite':
            cursor.execute('PRAGMA query_only = ON')
        elif dialect_name == 'mysql':
            cursor.execute('SET SESSION TRANSACTION READ ONLY')
        elif dialect_name == 'postgresql':
            cursor.execute('SET SESSION CHARACTERISTICS AS TRANSACTION '
                           'READ ONLY')
    finally:
        cursor.close()


def read_only_engine(url):
    """An oslo.db engine whose every connection refuses writes."""
    engine = engines.create_engine(url, max_retries=1, retry_interval=0)
    name = engine.dialect.name
    sa.event.listen(engine, 'connect',
                    lambda conn, record: _read_only(conn, record, name))
    # Connections made before the listener (oslo.db tests one) go.
    engine.dispose()
    return engine


def _json(text, default=None):
    if not text:
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default


def _epoch(when):
    return None if when is None else float(calendar.timegm(
        when.utctimetuple()))


def _compute_services(conn, condition):
    """The nova-compute service records of a cell matching ``condition``."""
    return conn.execute(sa.select(t.services).where(
        t.services.c.binary == 'nova-compute', condition))


def _image_properties(conn):
    """{instance uuid: image properties} of a cell's placed instances."""
    sysmeta = t.instance_system_metadata
    found = {}
    for row in conn.execute(
            sa.select(sysmeta.c.instance_uuid, sysmeta.c.key,
                      sysmeta.c.value)
            .join(t.instances,
                  t.instances.c.uuid == sysmeta.c.instance_uuid)
            .where(sysmeta.c.deleted == 0,
                   sysmeta.c.key.startswith(compact.IMAGE_PREFIX,
                                            autoescape=True),
                   t.instances.c.deleted == 0,
                   t.instances.c.host.is_not(None))):
        found.setdefault(row.instance_uuid, {})[row.key] = row.value
    return {uuid: compact.image_properties(metadata)
            for uuid, metadata in found.items()}


# Services written this long before a read are read again by the next one
# (clocks of Nova's hosts and of this one differ a little).
SERVICES_MARGIN = datetime.timedelta(seconds=5)


class _Cell:
    """The last good data of one cell and its failure state."""

    def __init__(self, uuid, name):
        self.uuid = uuid
        self.name = name
        self.hosts = {}
        self.url = None
        self.loaded_at = None
        self.failing_since = None
        self.error = None


class NovaDBSource(base.PeriodicSource):
    """Host facts from Nova's databases, as Nova's host manager reads them."""

    name = 'nova_db'
    supplies_aggregates = True

    def __init__(self, conf, clock=time.monotonic, utcnow=timeutils.utcnow):
        super().__init__(conf, clock=clock)
        self._utcnow = utcnow
        self._engines = {}
        self._cells = {}
        self._host_cell = {}
        self._disabled_cells = {}
        self._catch_up_lock = threading.Lock()
        self._last_catch_up = None
        self._aggregates_read_at = None
        # Services changed at or after this (UTC) are read again before a
        # request; the {service host: [record names]} index of _hosts.
        self._services_since = None
        self._by_service_host = (None, {})
        self.supplies = frozenset(
            [facts.COMPUTE] + ([facts.INSTANCES]
                               if conf.host_facts_nova_db.read_instances
                               else []))
        if not conf.host_facts_nova_db.api_connection:
            raise ValueError(
                '[host_facts_nova_db] api_connection must be set when '
                '[host_facts] sources has nova_db (the default): set it '
                'to Nova\'s [api_database] connection (or pass nova.conf '
                'as a --config-file), or set [host_facts] sources '
                'explicitly (see the README on host facts)')

    def interval(self):
        return self.conf.host_facts_nova_db.refresh_interval

    def stop(self):
        super().stop()
        for engine in self._engines.values():
            engine.dispose()
        self._engines = {}

    def _engine(self, url):
        engine = self._engines.get(url)
        if engine is None:
            engine = self._engines[url] = read_only_engine(url)
        return engine

    def describe_failure(self, error):
        # A driver's message may quote the connection URL: masked.
        return 'API database: %s: %s' % (type(error).__name__, mask(error))

    # API database.

    def load(self):
        self._services_since = self._utcnow() - SERVICES_MARGIN
        api = self._engine(self.conf.host_facts_nova_db.api_connection)
        with api.connect() as conn:
            cells = conn.execute(sa.select(t.cell_mappings)).all()
            mappings = conn.execute(sa.select(
                t.host_mappings.c.host, t.cell_mappings.c.uuid).join(
                    t.cell_mappings,
                    t.host_mappings.c.cell_id == t.cell_mappings.c.id)).all()
            aggregates = self._read_aggregates(conn)
        hosts = {}
        disabled = {}
        for cell in cells:
            if cell.uuid == CELL0_UUID:
                continue
            if cell.disabled:
                disabled[cell.uuid] = cell.name
                continue
            for name, known in self._load_cell(cell).items():
                hosts.setdefault(name, known)
        self._host_cell = {m.host: m.uuid for m in mappings}
        self._disabled_cells = disabled
        for host, cell_uuid in self._host_cell.items():
            hosts.setdefault(host, base.SourceHost(cell_uuid=cell_uuid))
        return aggregates, hosts

    def _read_aggregates(self, conn):
        rows = conn.execute(sa.select(t.aggregates)).all()
        members = {}
        for row in conn.execute(sa.select(t.aggregate_hosts)):
            members.setdefault(row.aggregate_id, set()).add(row.host)
        metadata = {}
        for row in conn.execute(sa.select(t.aggregate_metadata)):
            metadata.setdefault(row.aggregate_id, {})[row.key] = row.value
        return {row.id: facts.AggregateFacts(
            id=row.id, uuid=row.uuid, name=row.name,
            hosts=frozenset(members.get(row.id, ())),
            metadata=metadata.get(row.id, {})) for row in rows}

    # Cell databases.

    def _load_cell(self, mapping):
        cell = self._cells.get(mapping.uuid)
        if cell is None:
            cell = self._cells[mapping.uuid] = _Cell(mapping.uuid,
                                                     mapping.name)
        error = None
        try:
            url = (self.conf.host_facts_nova_db.cell_connections.get(
                mapping.uuid) or mapping.database_connection)
            with self._engine(url).connect() as c:
                cell.hosts = self._read_cell(c, mapping.uuid)
            cell.url = url
        except Exception as e:
            error = '%s: %s' % (type(e).__name__, mask(e))
        if error is not None:
            cell.error = error
            self.failures += 1
            if cell.failing_since is None:
                cell.failing_since = self._clock()
                LOG.error('Host facts source nova_db: the database of cell '
                          '%(name)s (%(uuid)s) failed: %(error)s; serving '
                          'its last good data for up to %(max)d s',
                          {'name': mapping.name, 'uuid': mapping.uuid,
                           'error': cell.error, 'max': self.max_stale()})
            return cell.hosts
        if cell.failing_since is not None:
            LOG.info('Host facts source nova_db: the database of cell '
                     '%s recovered', mapping.name)
        cell.loaded_at = self._clock()
        cell.failing_since = None
        cell.error = None
        return cell.hosts

    def _read_cell(self, conn, cell_uuid):
        services = {row.host: row for row in _compute_services(
            conn, t.services.c.deleted == 0)}
        instances = {}
        if self.conf.host_facts_nova_db.read_instances:
            images = (_image_properties(conn)
                      if compact.image_properties_wanted(self.conf) else {})
            for row in conn.execute(sa.select(t.instances).where(
                    t.instances.c.deleted == 0,
                    t.instances.c.host.is_not(None))):
                instances.setdefault(row.host, {})[row.uuid] = (
                    compact.state_of(
                        project_id=row.project_id, vm_state=row.vm_state,
                        task_state=row.task_state,
                        image_properties=images.get(
                            row.uuid, compact.NO_IMAGE_PROPERTIES)))
        hosts = {}
        for row in conn.execute(sa.select(t.compute_nodes).where(
                t.compute_nodes.c.deleted == 0)):
            known = base.SourceHost(
                # Not read: unknown, not none.
                instances=(compact.Instances(instances.get(row.host, {}))
                           if self.conf.host_facts_nova_db.read_instances
                           else None),
                compute=self._compute(row, services.get(row.host)),
                cell_uuid=cell_uuid)
            hosts[row.hypervisor_hostname or row.host] = known
            hosts.setdefault(row.host, known)
        return hosts

    def _compute(self, row, service):
        metrics = _json(row.metrics, [])
        return facts.ComputeFacts(
            hypervisor_type=row.hypervisor_type,
            hypervisor_version=row.hypervisor_version,
            hypervisor_hostname=row.hypervisor_hostname,
            host=row.host,
            cpu_info=_json(row.cpu_info, {}),
            supported_instances=_json(row.supported_instances, []),
            numa_topology=readers.plain(_json(row.numa_topology)),
            pci_pools=(readers.plain(_json(row.pci_stats, {})) or {}).get(
                'objects', []),
            metrics={m['name']: m.get('value') for m in metrics
                     if isinstance(m, dict) and 'name' in m},
            stats=_json(row.stats, {}),
            host_ip=row.host_ip,
            cpu_allocation_ratio=row.cpu_allocation_ratio,
            ram_allocation_ratio=row.ram_allocation_ratio,
            **self._service_facts(service),
            updated_at=_epoch(row.updated_at or row.created_at))

    def _service_facts(self, service):
        return {'service_up': self._service_up(service),
                'service_disabled': None if service is None else bool(
                    service.disabled),
                'service_disabled_reason': (None if service is None
                                            else service.disabled_reason)}

    def _service_up(self, service):
        """Nova's DB service group rule: a recent heartbeat, not forced.

        A node whose host has no nova-compute service record (deleted, or
        never registered) is down: Nova's host manager leaves it out.
        """
        if service is None:
            return False
        if service.forced_down:
            return False
        heartbeat = (service.last_seen_up or service.updated_at or
                     service.created_at)
        if heartbeat is None:
            return False
        elapsed = (self._utcnow() - heartbeat).total_seconds()
        return abs(elapsed) <= self.conf.host_facts_nova_db.service_down_time

    def before_request(self):
        """What Nova's scheduler reads for every request, read again.

        The aggregates, unless read less than
        ``aggregates_refresh_interval`` ago, and the compute services
        changed since the last read (disabled, forced down, deleted,
        registered): few rows, whatever the size of the cloud. A service
        whose heartbeats stop is seen down at the next full read.
        """
        self._refresh_aggregates()
        self._refresh_services()

    def _refresh_aggregates(self):
        interval = self.conf.host_facts_nova_db.aggregates_refresh_interval
        now = self._clock()
        if (self._aggregates_read_at is not None and
                now - self._aggregates_read_at < interval):
            return
        try:
            api = self._engine(self.conf.host_facts_nova_db.api_connection)
            with api.connect() as conn:
                aggregates = self._read_aggregates(conn)
        except Exception as e:
            # The periodic read reports failures; requests go on with the
            # aggregates read last.
            LOG.debug('Host facts source nova_db: reading the aggregates '
                      'failed: %s', self.describe_failure(e))
            return
        self._aggregates_read_at = now
        if aggregates != self._aggregates:
            with self._lock:
                self._aggregates = aggregates

    def _refresh_services(self):
        since = self._services_since
        if since is None:
            return
        self._services_since = self._utcnow() - SERVICES_MARGIN
        c = t.services.c
        changed_since = sa.or_(c.updated_at >= since, c.created_at >= since,
                               c.deleted_at >= since,
                               c.last_seen_up >= since)
        changed = {}
        try:
            for cell in list(self._cells.values()):
                if cell.url is None or cell.failing_since is not None:
                    continue
                with self._engine(cell.url).connect() as conn:
                    for row in _compute_services(conn, changed_since):
                        # A deleted record counts unless the host has a
                        # live one (a service deleted and registered again).
                        if row.deleted == 0 or row.host not in changed:
                            changed[row.host] = (
                                row if row.deleted == 0 else None)
        except Exception as e:
            # The periodic read reports failures; requests go on with the
            # services read last.
            self._services_since = since
            LOG.debug('Host facts source nova_db: reading the changed '
                      'services of a cell failed: %s: %s',
                      type(e).__name__, mask(e))
            return
        if changed:
            self._apply_services(changed)

    def _apply_services(self, services):
        with self._lock:
            records = self._hosts
            if self._by_service_host[0] is not records:
                index = {}
                for name, record in records.items():
                    if record.compute is not None:
                        index.setdefault(record.compute.host, []).append(
                            name)
                self._by_service_host = (records, index)
            index = self._by_service_host[1]
            for host, service in services.items():
                wanted = self._service_facts(service)
                for name in index.get(host, ()):
                    record = records.get(name)
                    if record is None or record.compute is None:
                        continue
                    compute = record.compute
                    if all(getattr(compute, k) == v
                           for k, v in wanted.items()):
                        continue
                    self._set_host_locked(name, dataclasses.replace(
                        record,
                        compute=dataclasses.replace(compute, **wanted)))

    def catch_up(self, host_names):
        """Read again now if a host is new to us, at most once a second.

        Nova's host manager reads the compute nodes on every request, so a
        compute node started since the last read is schedulable at once;
        refusing it until the next periodic read would not be a drop-in.
        """
        if all(self._has_compute_node(name) for name in host_names):
            return
        with self._catch_up_lock:
            now = self._clock()
            if (self._last_catch_up is not None and
                    now - self._last_catch_up < CATCH_UP_INTERVAL):
                return
            self._last_catch_up = now
            unknown = sorted(n for n in host_names
                             if not self._has_compute_node(n))
            LOG.debug('Host facts source nova_db: reading again for hosts '
                      'not seen yet: %s', ', '.join(unknown[:10]))
            self.refresh()

    def _has_compute_node(self, name):
        known = self._hosts.get(name)
        return known is not None and known.compute is not None

    # Freshness per cell.

    def refused_hosts(self, host_names):
        refused = super().refused_hosts(host_names)
        if refused:
            return refused
        for name in host_names:
            cell_uuid = self._host_cell.get(name)
            if cell_uuid in self._disabled_cells:
                refused[name] = 'its cell %s (%s) is disabled' % (
                    self._disabled_cells[cell_uuid], cell_uuid)
                continue
            if not self._has_compute_node(name):
                # Nova's host manager only schedules to the compute nodes
                # of its cell databases (a host mapping alone is not one).
                refused[name] = ('no compute node of that name in the '
                                 'enabled cells of Nova\'s databases')
                continue
            cell = self._cells.get(cell_uuid)
            if cell is None or cell.failing_since is None:
                continue
            if (cell.loaded_at is None or self._clock() -
                    cell.failing_since > self.max_stale()):
                refused[name] = (
                    'host facts source nova_db cannot read the database of '
                    'its cell %s (%s) (%s)' % (cell.name, cell.uuid,
                                               cell.error))
        return refused

    def health_detail(self):
        failing = sorted(c.name or c.uuid for c in self._cells.values()
                         if c.failing_since is not None)
        text = '%d cell(s) read' % len(self._cells)
        if failing:
            text += ', failing: %s' % ', '.join(failing)
        if self._disabled_cells:
            text += ', disabled: %s' % ', '.join(
                sorted(self._disabled_cells.values()))
        return text
