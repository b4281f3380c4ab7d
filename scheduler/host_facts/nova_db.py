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

A cell's first read, and one every ``full_refresh_interval`` seconds, reads
all its rows; the reads in between read only the rows created, updated or
soft-deleted (``created_at``, ``updated_at``, ``deleted_at``) since the
previous read began, less ``nova_db_reads.CHANGES_MARGIN`` for clocks
that differ and transactions that commit late
(``scheduler.host_facts.nova_db_cells`` reads the cells). Only the hosts
those rows touch get new records, published one at a time: the record of
a host nothing changed of stays the same object, so the store, and what
the pipeline derived from it, see nothing to redo. A full read keeps the
records it finds equal too; it catches what the changed rows cannot show
(rows archived or purged by ``nova-manage``, clocks apart by more than
the margin). A service whose
heartbeats stop changes no row: when its last heartbeat gets older than
``service_down_time`` its hosts are rebuilt down, at the next read.

Before every request it also reads what Nova's scheduler reads for every
request and can change from one request to the next: the aggregates, and
the compute services changed since its last read.

Nothing is ever written: connections are opened read-only (sqlite
``query_only``, MySQL and PostgreSQL read-only sessions) and only SELECTs
are issued. A cell whose database fails keeps its last good data for
``[host_facts] max_stale_seconds``, then its hosts are refused (its next
good read is a full one); hosts of a disabled cell, and hosts with no
compute node in any enabled cell, are refused, as Nova does not schedule
to them. Connection URLs carry passwords: they are never logged.
"""

import dataclasses
import itertools
import threading
import time

from oslo_log import log as logging
from oslo_utils import timeutils
import sqlalchemy as sa

from scheduler.host_facts import base
from scheduler.host_facts import nova_db_cells
from scheduler.host_facts import nova_db_reads as reads
from scheduler.host_facts import nova_tables as t
from scheduler.host_state import facts

LOG = logging.getLogger(__name__)

CELL0_UUID = '00000000-0000-0000-0000-000000000000'
# Seconds between two reads caused by hosts not seen yet.
CATCH_UP_INTERVAL = 1.0


class NovaDBSource(nova_db_cells.CellReader, base.PeriodicSource):
    """Host facts from Nova's databases, as Nova's host manager reads them."""

    name = 'nova_db'
    supplies_aggregates = True

    def __init__(self, conf, clock=time.monotonic, utcnow=timeutils.utcnow):
        super().__init__(conf, clock=clock)
        self._utcnow = utcnow
        self._engines = {}
        self._cells = {}
        # The enabled cells' Cell, in the cell mappings' order.
        self._enabled = []
        self._host_cell = {}
        self._disabled_cells = {}
        self._placeholders = {}
        self._sequence = itertools.count()
        # One load() at a time: the periodic one and a catch-up.
        self._load_lock = threading.Lock()
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
            engine = self._engines[url] = reads.read_only_engine(url)
        return engine

    def describe_failure(self, error):
        # A driver's message may quote the connection URL: masked.
        return 'API database: %s: %s' % (type(error).__name__,
                                         reads.mask(error))

    # API database.

    def load(self):
        """Read what changed; publish its hosts' records one at a time.

        The first load returns a new ``{host name: SourceHost}``; later
        ones change that dict in place (``_set_host_locked``) and return
        it, so that readers merge again only the hosts named by
        ``take_changed()``.
        """
        with self._load_lock:
            return self._load()

    def _load(self):
        now = self._utcnow()
        self._services_since = now - reads.SERVICES_MARGIN
        api = self._engine(self.conf.host_facts_nova_db.api_connection)
        with api.connect() as conn:
            # In a stable order: the first cell with a host name wins.
            cells = conn.execute(sa.select(t.cell_mappings).order_by(
                t.cell_mappings.c.id)).all()
            mappings = conn.execute(sa.select(
                t.host_mappings.c.host, t.cell_mappings.c.uuid).join(
                    t.cell_mappings,
                    t.host_mappings.c.cell_id == t.cell_mappings.c.id)).all()
            aggregates = self._read_aggregates(conn)
        if aggregates == self._aggregates:
            aggregates = self._aggregates
        enabled = []
        disabled = {}
        for cell in cells:
            if cell.uuid == CELL0_UUID:
                continue
            if cell.disabled:
                disabled[cell.uuid] = cell.name
                continue
            enabled.append(cell)
        previous = [c.uuid for c in self._enabled]
        reshaped = [c.uuid for c in enabled] != previous
        names = set()
        for cell in enabled:
            if cell.uuid not in previous and cell.uuid in self._cells:
                # Not read while disabled or unmapped: read it all again.
                self._cells[cell.uuid].since = None
            names |= self._load_cell(cell, now)
        host_cell = {m.host: m.uuid for m in mappings}
        if host_cell != self._host_cell:
            names.update(h for h in set(host_cell) | set(self._host_cell)
                         if host_cell.get(h) != self._host_cell.get(h))
        self._host_cell = host_cell
        self._disabled_cells = disabled
        self._enabled = [self._cells[c.uuid] for c in enabled]
        if self._loaded_at is None:
            return aggregates, self._combine_all()
        if reshaped:
            names = set(self._hosts) | set(self._combine_all())
        self._publish_names(names)
        return aggregates, self._hosts

    def _combined(self, name):
        """The record of ``name``: the first enabled cell's that has one."""
        for cell in self._enabled:
            record = cell.record(name)
            if record is not None:
                return record
        cell_uuid = self._host_cell.get(name)
        if cell_uuid is None:
            return None
        # A host mapping with no compute node: its cell only.
        placeholder = self._placeholders.get(cell_uuid)
        if placeholder is None:
            placeholder = self._placeholders[cell_uuid] = base.SourceHost(
                cell_uuid=cell_uuid)
        return placeholder

    def _combine_all(self):
        names = set(self._host_cell)
        for cell in self._enabled:
            names |= cell.names()
        return {name: self._combined(name) for name in names}

    def _publish_names(self, names):
        """Publish the records of ``names`` that changed, one at a time."""
        reindex = False
        with self._lock:
            hosts = self._hosts
            for name in names:
                new = self._combined(name)
                old = hosts.get(name)
                if new is old or (new is not None and old is not None and
                                  new == old):
                    # The same facts (perhaps already published by
                    # before_request): the published object stays.
                    continue
                self._set_host_locked(name, new)
                reindex = reindex or (
                    old is None or new is None or old.compute is None or
                    new.compute is None or
                    old.compute.host != new.compute.host)
            if reindex:
                self._by_service_host = (None, {})

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
        self._services_since = self._utcnow() - reads.SERVICES_MARGIN
        changed_since = reads.services_changed_since(since)
        changed = {}
        try:
            for cell in list(self._cells.values()):
                if cell.url is None or cell.failing_since is not None:
                    continue
                with self._engine(cell.url).connect() as conn:
                    for row in reads.compute_services(conn, changed_since):
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
                      type(e).__name__, reads.mask(e))
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
