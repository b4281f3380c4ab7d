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

"""Reading Nova's cell databases for the ``nova_db`` source: rows, not facts.

Read-only engines (connection URLs carry passwords: ``mask`` them before
they reach a log), the SELECTs of a full read and of a read of the rows
changed since a time, and ``Rows``, what one read of a cell found.
``scheduler.host_facts.nova_db_cells`` turns them into host facts.
"""

import calendar
import dataclasses
import datetime
import json
import re

from oslo_db.sqlalchemy import engines
from oslo_utils import strutils
import sqlalchemy as sa

from scheduler.host_facts import instances as compact
from scheduler.host_facts import nova_tables as t

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


def json_value(text, default=None):
    if not text:
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default


def epoch(when):
    return None if when is None else float(calendar.timegm(
        when.utctimetuple()))


def compute_services(conn, condition):
    """The nova-compute service records of a cell matching ``condition``."""
    return conn.execute(sa.select(t.services).where(
        t.services.c.binary == 'nova-compute', condition))


def services_changed_since(since):
    """Services created, updated, deleted or heard from since ``since``."""
    c = t.services.c
    return sa.or_(c.updated_at >= since, c.created_at >= since,
                  c.deleted_at >= since, c.last_seen_up >= since)


def changed_since(table, since):
    """Rows of ``table`` created, updated or deleted at ``since`` or after."""
    c = table.c
    return sa.or_(c.updated_at >= since, c.created_at >= since,
                  c.deleted_at >= since)


# Uuids in one IN list.
_CHUNK = 500


def image_properties(conn, uuids=None):
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


def instance_state(row, images):
    """The compact state of an instance row; None if deleted or unplaced."""
    if row.deleted or row.host is None:
        return None
    return compact.state_of(
        project_id=row.project_id, vm_state=row.vm_state,
        task_state=row.task_state,
        image_properties=images.get(row.uuid, compact.NO_IMAGE_PROPERTIES))


# What an instance's facts are made of (a full read parses no timestamps).
INSTANCE_COLUMNS = (t.instances.c.uuid, t.instances.c.host,
                    t.instances.c.project_id, t.instances.c.vm_state,
                    t.instances.c.task_state, t.instances.c.deleted)


def node_key(row):
    """What identifies a compute node row from one read to the next."""
    return row.uuid or '%s/%s' % (row.host, row.hypervisor_hostname)


def node_name(row):
    """The host name a compute node is known by (its provider's name)."""
    return row.hypervisor_hostname or row.host


def live(row):
    return row is not None and not row.deleted


@dataclasses.dataclass(frozen=True)
class Node:
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
        return cls(row.host, node_name(row), hash(tuple(row)))


# Rows written this long before a read are read again by the next one
# (clocks of Nova's hosts and of this one differ a little; a transaction
# may commit a little after it wrote its timestamps).
SERVICES_MARGIN = datetime.timedelta(seconds=5)
CHANGES_MARGIN = SERVICES_MARGIN
MICROSECOND = datetime.timedelta(microseconds=1)


@dataclasses.dataclass
class Rows:
    """What one read of a cell database found.

    ``services``: ``{host: row}`` (a row may be deleted; None: gone);
    ``nodes``: ``{node key: row}`` likewise; ``instances``: a full read's
    ``{host: {uuid: state}}``, else ``[(row, state or None)]``.
    """

    full: bool
    services: dict
    nodes: dict
    instances: object = None
