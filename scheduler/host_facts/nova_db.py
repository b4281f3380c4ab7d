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
previous read began, less ``CHANGES_MARGIN`` for clocks that differ and
transactions that commit late. Only the hosts those rows touch get new
records, published one at a time: the record of a host nothing changed of
stays the same object, so the store, and what the pipeline derived from
it, see nothing to redo. A full read keeps the records it finds equal too;
it catches what the changed rows cannot show (rows archived or purged by
``nova-manage``, clocks apart by more than the margin). A service whose
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

import calendar
import dataclasses
import datetime
import heapq
import itertools
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


def _services_changed_since(since):
    """Services created, updated, deleted or heard from since ``since``."""
    c = t.services.c
    return sa.or_(c.updated_at >= since, c.created_at >= since,
                  c.deleted_at >= since, c.last_seen_up >= since)


def _changed_since(table, since):
    """Rows of ``table`` created, updated or deleted at ``since`` or after."""
    c = table.c
    return sa.or_(c.updated_at >= since, c.created_at >= since,
                  c.deleted_at >= since)


# Uuids in one IN list.
_CHUNK = 500


def _image_properties(conn, uuids=None):
    """{instance uuid: image properties} of a cell's placed instances.

    Of all of them, or of those of ``uuids``.
    """
    sysmeta = t.instance_system_metadata
    query = (sa.select(sysmeta.c.instance_uuid, sysmeta.c.key,
                       sysmeta.c.value)
             .join(t.instances,
                   t.instances.c.uuid == sysmeta.c.instance_uuid)
             .where(sysmeta.c.deleted == 0,
                    sysmeta.c.key.startswith(compact.IMAGE_PREFIX,
                                             autoescape=True),
                    t.instances.c.deleted == 0,
                    t.instances.c.host.is_not(None)))
    if uuids is None:
        queries = [query]
    else:
        uuids = sorted(uuids)
        queries = [query.where(sysmeta.c.instance_uuid.in_(
            uuids[n:n + _CHUNK])) for n in range(0, len(uuids), _CHUNK)]
    found = {}
    for statement in queries:
        for row in conn.execute(statement):
            found.setdefault(row.instance_uuid, {})[row.key] = row.value
    return {uuid: compact.image_properties(metadata)
            for uuid, metadata in found.items()}


def _instance_state(row, images):
    """The compact state of an instance row; None if deleted or unplaced."""
    if row.deleted or row.host is None:
        return None
    return compact.state_of(
        project_id=row.project_id, vm_state=row.vm_state,
        task_state=row.task_state,
        image_properties=images.get(row.uuid, compact.NO_IMAGE_PROPERTIES))


# What an instance's facts are made of (a full read parses no timestamps).
_INSTANCE_COLUMNS = (t.instances.c.uuid, t.instances.c.host,
                     t.instances.c.project_id, t.instances.c.vm_state,
                     t.instances.c.task_state, t.instances.c.deleted)


def _node_key(row):
    """What identifies a compute node row from one read to the next."""
    return row.uuid or '%s/%s' % (row.host, row.hypervisor_hostname)


def _node_name(row):
    """The host name a compute node is known by (its provider's name)."""
    return row.hypervisor_hostname or row.host


def _live(row):
    return row is not None and not row.deleted


@dataclasses.dataclass(frozen=True)
class _Node:
    """What a cell keeps of a compute node row between two reads.

    Not the row: its JSON columns (NUMA topology, PCI pools) may weigh
    kilobytes a node, and are parsed into the node's facts already.
    ``digest`` tells whether a row read again is the same.
    """

    host: str
    name: str
    digest: int

    @classmethod
    def of(cls, row):
        return cls(row.host, _node_name(row), hash(tuple(row)))


# Rows written this long before a read are read again by the next one
# (clocks of Nova's hosts and of this one differ a little; a transaction
# may commit a little after it wrote its timestamps).
SERVICES_MARGIN = datetime.timedelta(seconds=5)
CHANGES_MARGIN = SERVICES_MARGIN
_MICROSECOND = datetime.timedelta(microseconds=1)


class _Cell:
    """One cell: its last good data, failure state and read marks.

    Its compute nodes' records are ``records`` by node key; a host name
    is a node's ``hypervisor_hostname`` (or its ``host``), else the
    ``host`` of its nodes (an Ironic conductor's): see ``record()``.
    """

    def __init__(self, uuid, name):
        self.uuid = uuid
        self.name = name
        self.url = None
        self.loaded_at = None
        self.failing_since = None
        self.error = None
        # Rows changed at or after this (UTC) are read by the next read;
        # None: the next read reads everything.
        self.since = None
        self.full_at = None
        self.nodes = {}
        self.records = {}
        self.by_name = {}
        self.by_host = {}
        self.services = {}
        # {host: {uuid: state}}, each dict that of instance_sets[host].
        self.instance_states = {}
        self.instance_sets = {}
        # Heap of (when, seq, host, services row): when the service of
        # host may go up or down, if that row is still its service.
        self.transitions = []

    def record(self, name):
        """The ``SourceHost`` named ``name`` in this cell, or None.

        A node's own name wins (the last by key); else the first node, by
        key, whose service host has that name.
        """
        keys = self.by_name.get(name)
        if keys:
            return self.records[max(keys)]
        keys = self.by_host.get(name)
        if keys:
            return self.records[min(keys)]
        return None

    def names(self):
        return set(self.by_name) | set(self.by_host)

    def set_node(self, key, node):
        """Index (None: forget) a ``_Node``; the names it had and has."""
        names = set()
        old = self.nodes.pop(key, None)
        if old is not None:
            for index, name in ((self.by_name, old.name),
                                (self.by_host, old.host)):
                index[name].discard(key)
                if not index[name]:
                    del index[name]
                names.add(name)
        if node is None:
            self.records.pop(key, None)
            return names
        self.nodes[key] = node
        for index, name in ((self.by_name, node.name),
                            (self.by_host, node.host)):
            index.setdefault(name, set()).add(key)
            names.add(name)
        return names

    def set_instances(self, host, states):
        """The instances of ``host`` (``{uuid: state}``, owned from now)."""
        if states:
            self.instance_states[host] = states
            self.instance_sets[host] = compact.Instances(states)
        else:
            self.instance_states.pop(host, None)
            self.instance_sets.pop(host, None)


@dataclasses.dataclass
class _Rows:
    """What one read of a cell database found.

    ``services``: ``{host: row}`` (a row may be deleted; None: gone);
    ``nodes``: ``{node key: row}`` likewise; ``instances``: a full read's
    ``{host: {uuid: state}}``, else ``[(row, state or None)]``.
    """

    full: bool
    services: dict
    nodes: dict
    instances: object = None


class NovaDBSource(base.PeriodicSource):
    """Host facts from Nova's databases, as Nova's host manager reads them."""

    name = 'nova_db'
    supplies_aggregates = True

    def __init__(self, conf, clock=time.monotonic, utcnow=timeutils.utcnow):
        super().__init__(conf, clock=clock)
        self._utcnow = utcnow
        self._engines = {}
        self._cells = {}
        # The enabled cells' _Cell, in the cell mappings' order.
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
            engine = self._engines[url] = read_only_engine(url)
        return engine

    def describe_failure(self, error):
        # A driver's message may quote the connection URL: masked.
        return 'API database: %s: %s' % (type(error).__name__, mask(error))

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
        self._services_since = now - SERVICES_MARGIN
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

    # Cell databases.

    def _load_cell(self, mapping, now):
        """Read one cell; the host names whose cell record changed."""
        cell = self._cells.get(mapping.uuid)
        if cell is None:
            cell = self._cells[mapping.uuid] = _Cell(mapping.uuid,
                                                     mapping.name)
        error = None
        try:
            url = (self.conf.host_facts_nova_db.cell_connections.get(
                mapping.uuid) or mapping.database_connection)
            full = self._full_read_due(cell, url)
            with self._engine(url).connect() as c:
                rows = (self._read_all(c, cell) if full
                        else self._read_changed(c, cell))
        except Exception as e:
            error = '%s: %s' % (type(e).__name__, mask(e))
        if error is not None:
            cell.error = error
            # What it missed is read whole once it answers again.
            cell.since = None
            self.failures += 1
            if cell.failing_since is None:
                cell.failing_since = self._clock()
                LOG.error('Host facts source nova_db: the database of cell '
                          '%(name)s (%(uuid)s) failed: %(error)s; serving '
                          'its last good data for up to %(max)d s',
                          {'name': mapping.name, 'uuid': mapping.uuid,
                           'error': cell.error, 'max': self.max_stale()})
            return set()
        names = self._apply(cell, rows, now)
        cell.since = now - CHANGES_MARGIN
        if full:
            cell.full_at = self._clock()
        cell.url = url
        if cell.failing_since is not None:
            LOG.info('Host facts source nova_db: the database of cell '
                     '%s recovered', mapping.name)
        cell.loaded_at = self._clock()
        cell.failing_since = None
        cell.error = None
        return names

    def _full_read_due(self, cell, url):
        if cell.since is None or cell.url != url:
            return True
        interval = self.conf.host_facts_nova_db.full_refresh_interval
        return interval == 0 or self._clock() - cell.full_at >= interval

    def _images_wanted(self):
        return compact.image_properties_wanted(self.conf)

    def _read_all(self, conn, cell):
        """Every live row; what the cell had and is gone maps to None."""
        services = dict.fromkeys(cell.services)
        services.update((row.host, row) for row in _compute_services(
            conn, t.services.c.deleted == 0))
        nodes = dict.fromkeys(cell.nodes)
        for row in conn.execute(sa.select(t.compute_nodes).where(
                t.compute_nodes.c.deleted == 0)):
            nodes[_node_key(row)] = row
        instances = None
        if self.conf.host_facts_nova_db.read_instances:
            images = _image_properties(conn) if self._images_wanted() else {}
            instances = {}
            for row in conn.execute(sa.select(*_INSTANCE_COLUMNS).where(
                    t.instances.c.deleted == 0,
                    t.instances.c.host.is_not(None))):
                instances.setdefault(row.host, {})[row.uuid] = (
                    _instance_state(row, images))
        return _Rows(True, services, nodes, instances)

    def _read_changed(self, conn, cell):
        """The rows changed since the cell's last read (a live row wins)."""
        services = {}
        for row in _compute_services(conn,
                                     _services_changed_since(cell.since)):
            if _live(row) or row.host not in services:
                services[row.host] = row
        nodes = {}
        for row in conn.execute(sa.select(t.compute_nodes).where(
                _changed_since(t.compute_nodes, cell.since))):
            key = _node_key(row)
            if _live(row) or key not in nodes:
                nodes[key] = row
        instances = None
        if self.conf.host_facts_nova_db.read_instances:
            rows = conn.execute(sa.select(
                *_INSTANCE_COLUMNS, t.instances.c.created_at).where(
                _changed_since(t.instances, cell.since))).all()
            placed = [r.uuid for r in rows if _live(r) and r.host]
            images = (_image_properties(conn, placed)
                      if placed and self._images_wanted() else {})
            instances = [(row, _instance_state(row, images))
                         for row in rows]
        return _Rows(False, services, nodes, instances)

    def _apply(self, cell, rows, now):
        """Bring a cell's records up to date with ``rows``.

        Returns the host names whose record in the cell changed. A node's
        record is rebuilt when its row changed, its facts' service fields
        when its service's did, its instances when its host's did; else it
        stays the same object.
        """
        read_instances = self.conf.host_facts_nova_db.read_instances
        hosts = self._apply_service_rows(cell, rows.services, now)
        if read_instances:
            hosts |= self._apply_instance_rows(cell, rows)
        names = set()
        # {key: the row} of the nodes new or changed.
        rebuilt = {}
        for key, row in rows.nodes.items():
            old = cell.nodes.get(key)
            node = _Node.of(row) if _live(row) else None
            if node == old:
                continue
            names |= cell.set_node(key, node)
            if node is not None:
                rebuilt[key] = row
        keys = set(rebuilt)
        for host in hosts:
            keys.update(cell.by_host.get(host, ()))
        for key in keys:
            node = cell.nodes[key]
            old = cell.records.get(key)
            service = cell.services.get(node.host)
            if old is None or key in rebuilt:
                compute = self._compute(rebuilt[key], service, now)
                if old is not None and compute == old.compute:
                    compute = old.compute
            else:
                compute = old.compute
                wanted = self._service_facts(service, now)
                if any(getattr(compute, k) != v for k, v in wanted.items()):
                    compute = dataclasses.replace(compute, **wanted)
            # Not read: unknown, not none.
            instances = (cell.instance_sets.get(node.host, compact.EMPTY)
                         if read_instances else None)
            if (old is not None and compute is old.compute and
                    instances is old.instances):
                continue
            cell.records[key] = base.SourceHost(
                instances=instances, compute=compute, cell_uuid=cell.uuid)
            names.update((node.name, node.host))
        return names

    def _apply_service_rows(self, cell, services, now):
        """Record the service rows read; the hosts whose service changed.

        Those include the hosts whose service went up or down with time
        alone (a heartbeat got old) since the last read.
        """
        changed = set()
        for host, row in services.items():
            old = cell.services.get(host)
            if _live(row):
                if old is not None and old == row:
                    continue
                cell.services[host] = row
                self._schedule(cell, host, row, now)
            elif old is None or (row is not None and old.id != row.id):
                # Gone, or the deletion of a record registered again since.
                continue
            else:
                del cell.services[host]
            changed.add(host)
        heap = cell.transitions
        while heap and heap[0][0] <= now:
            _, _, host, row = heapq.heappop(heap)
            if cell.services.get(host) is row:
                changed.add(host)
                self._schedule(cell, host, row, now)
        return changed

    def _schedule(self, cell, host, service, now):
        """Remember when ``service`` goes up or down with time alone."""
        heartbeat = self._heartbeat(service)
        if service.forced_down or heartbeat is None:
            return
        window = datetime.timedelta(
            seconds=self.conf.host_facts_nova_db.service_down_time)
        if now < heartbeat - window:
            when = heartbeat - window
        elif now <= heartbeat + window:
            when = heartbeat + window + _MICROSECOND
        else:
            return
        heapq.heappush(cell.transitions,
                       (when, next(self._sequence), host, service))

    def _apply_instance_rows(self, cell, rows):
        """Record the instance rows read; the hosts whose instances changed.

        An instance row changed since the last read is looked for on the
        host it names; if it is not there and may have been read before
        (it was not created since), on every host of the cell: it moved,
        or was unplaced (shelved). Each changed host gets a new dict.
        """
        if rows.full:
            changed = set()
            for host in set(cell.instance_states) | set(rows.instances):
                states = rows.instances.get(host)
                if states != cell.instance_states.get(host):
                    cell.set_instances(host, states)
                    changed.add(host)
            return changed
        pending = {}

        def current(host):
            states = pending.get(host)
            if states is None:
                states = cell.instance_states.get(host, {})
            return states

        def edit(host):
            states = pending.get(host)
            if states is None:
                states = pending[host] = dict(
                    cell.instance_states.get(host, {}))
            return states

        def place(row, state, where):
            if where is not None and (state is None or where != row.host):
                del edit(where)[row.uuid]
            if state is not None and current(row.host).get(row.uuid) != state:
                edit(row.host)[row.uuid] = state

        new_since = cell.since + 2 * CHANGES_MARGIN
        lost = {}
        for row, state in rows.instances:
            if row.host is not None and row.uuid in current(row.host):
                place(row, state, row.host)
            elif row.host is None or (
                    state is not None and (row.created_at is None or
                                           row.created_at < new_since)):
                lost[row.uuid] = (row, state)
            else:
                # New, or deleted where it was and already removed.
                place(row, state, None)
        if lost:
            found = self._find_instances(cell, pending, set(lost))
            for uuid, (row, state) in lost.items():
                place(row, state, found.get(uuid))
        changed = set()
        for host, states in pending.items():
            if states != cell.instance_states.get(host, {}):
                cell.set_instances(host, states)
                changed.add(host)
        return changed

    @staticmethod
    def _find_instances(cell, pending, uuids):
        """{uuid: host} of those of ``uuids`` the cell has on some host."""
        found = {}
        for host, states in cell.instance_states.items():
            states = pending.get(host, states)
            if not uuids.isdisjoint(states):
                for uuid in uuids.intersection(states):
                    found[uuid] = host
        for host, states in pending.items():
            if host not in cell.instance_states and not uuids.isdisjoint(
                    states):
                for uuid in uuids.intersection(states):
                    found[uuid] = host
        return found

    def _compute(self, row, service, now=None):
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
            **self._service_facts(service, now),
            updated_at=_epoch(row.updated_at or row.created_at))

    def _service_facts(self, service, now=None):
        return {'service_up': self._service_up(service, now),
                'service_disabled': None if service is None else bool(
                    service.disabled),
                'service_disabled_reason': (None if service is None
                                            else service.disabled_reason)}

    @staticmethod
    def _heartbeat(service):
        return (service.last_seen_up or service.updated_at or
                service.created_at)

    def _service_up(self, service, now=None):
        """Nova's DB service group rule: a recent heartbeat, not forced.

        A node whose host has no nova-compute service record (deleted, or
        never registered) is down: Nova's host manager leaves it out.
        """
        if service is None:
            return False
        if service.forced_down:
            return False
        heartbeat = self._heartbeat(service)
        if heartbeat is None:
            return False
        elapsed = ((now or self._utcnow()) - heartbeat).total_seconds()
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
        changed_since = _services_changed_since(since)
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
