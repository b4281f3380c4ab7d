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

"""The cells of the ``nova_db`` source: reading each, full or changed rows.

``Cell`` is what the source keeps of one cell between two reads;
``CellReader`` (a part of ``nova_db.NovaDBSource``) reads a cell's
database, whole or only the rows changed since its last read
(``scheduler.host_facts.nova_db_reads``), and rebuilds the records of the
hosts those rows touch, and no other.
"""

import dataclasses
import datetime
import heapq

from oslo_log import log as logging
import sqlalchemy as sa

from scheduler.host_facts import base
from scheduler.host_facts import instances as compact
from scheduler.host_facts import nova_db_reads as reads
from scheduler.host_facts import nova_tables as t
from scheduler.host_state import facts
from scheduler.rpc import readers

LOG = logging.getLogger(__name__)


class Cell:
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
        """Index (None: forget) a ``reads.Node``; the names it had and has."""
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


class CellReader:
    """How ``NovaDBSource`` reads its cells (a part of that class).

    Uses the source's ``conf``, clocks, engines, ``_cells`` and failure
    counts.
    """

    def _load_cell(self, mapping, now):
        """Read one cell; the host names whose cell record changed."""
        cell = self._cells.get(mapping.uuid)
        if cell is None:
            cell = self._cells[mapping.uuid] = Cell(mapping.uuid,
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
            error = '%s: %s' % (type(e).__name__, reads.mask(e))
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
        cell.since = now - reads.CHANGES_MARGIN
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
        services.update((row.host, row) for row in reads.compute_services(
            conn, t.services.c.deleted == 0))
        nodes = dict.fromkeys(cell.nodes)
        for row in conn.execute(sa.select(t.compute_nodes).where(
                t.compute_nodes.c.deleted == 0)):
            nodes[reads.node_key(row)] = row
        instances = None
        if self.conf.host_facts_nova_db.read_instances:
            images = (reads.image_properties(conn)
                      if self._images_wanted() else {})
            instances = {}
            for row in conn.execute(sa.select(*reads.INSTANCE_COLUMNS).where(
                    t.instances.c.deleted == 0,
                    t.instances.c.host.is_not(None))):
                instances.setdefault(row.host, {})[row.uuid] = (
                    reads.instance_state(row, images))
        return reads.Rows(True, services, nodes, instances)

    def _read_changed(self, conn, cell):
        """The rows changed since the cell's last read (a live row wins)."""
        services = {}
        for row in reads.compute_services(
                conn, reads.services_changed_since(cell.since)):
            if reads.live(row) or row.host not in services:
                services[row.host] = row
        nodes = {}
        for row in conn.execute(sa.select(t.compute_nodes).where(
                reads.changed_since(t.compute_nodes, cell.since))):
            key = reads.node_key(row)
            if reads.live(row) or key not in nodes:
                nodes[key] = row
        instances = None
        if self.conf.host_facts_nova_db.read_instances:
            rows = conn.execute(sa.select(
                *reads.INSTANCE_COLUMNS, t.instances.c.created_at).where(
                reads.changed_since(t.instances, cell.since))).all()
            placed = [r.uuid for r in rows if reads.live(r) and r.host]
            images = (reads.image_properties(conn, placed)
                      if placed and self._images_wanted() else {})
            instances = [(row, reads.instance_state(row, images))
                         for row in rows]
        return reads.Rows(False, services, nodes, instances)

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
            node = reads.Node.of(row) if reads.live(row) else None
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
            if reads.live(row):
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
            when = heartbeat + window + reads.MICROSECOND
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

        new_since = cell.since + 2 * reads.CHANGES_MARGIN
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
        metrics = reads.json_value(row.metrics, [])
        return facts.ComputeFacts(
            hypervisor_type=row.hypervisor_type,
            hypervisor_version=row.hypervisor_version,
            hypervisor_hostname=row.hypervisor_hostname,
            host=row.host,
            cpu_info=reads.json_value(row.cpu_info, {}),
            supported_instances=reads.json_value(row.supported_instances, []),
            numa_topology=readers.plain(reads.json_value(row.numa_topology)),
            pci_pools=(readers.plain(reads.json_value(row.pci_stats, {}))
                       or {}).get('objects', []),
            metrics={m['name']: m.get('value') for m in metrics
                     if isinstance(m, dict) and 'name' in m},
            stats=reads.json_value(row.stats, {}),
            host_ip=row.host_ip,
            cpu_allocation_ratio=row.cpu_allocation_ratio,
            ram_allocation_ratio=row.ram_allocation_ratio,
            **self._service_facts(service, now),
            updated_at=reads.epoch(row.updated_at or row.created_at))

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
