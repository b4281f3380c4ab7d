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

"""nova_db reads only what changed between two full reads.

Against sqlite files with the columns it reads, written as Nova's services
write them (timestamps set, soft deletes keeping updated_at).
"""

import contextlib
import datetime
import json
import random

import pytest
import sqlalchemy as sa

from scheduler.host_facts import nova_db
from scheduler.host_facts import nova_tables as t
from scheduler.host_facts import store
from tests.unit.host_facts import fakes

START = datetime.datetime(2026, 1, 1, 12, 0, 0)
CELLS = ('c1000000-0000-4000-8000-000000000001',
         'c1000000-0000-4000-8000-000000000002')


class UTC:
    """A UTC wall clock the test moves by hand (Nova's and ours)."""

    def __init__(self):
        self.now = START

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += datetime.timedelta(seconds=seconds)


class Cloud:
    """Nova's API database and two cell databases, changed as Nova does."""

    def __init__(self, path, utc):
        self.utc = utc
        self.api_url = 'sqlite:///%s' % (path / 'api.db')
        self.api = sa.create_engine(self.api_url)
        t.API.create_all(self.api)
        self.cells = []
        for n, cell_uuid in enumerate(CELLS):
            url = 'sqlite:///%s' % (path / ('cell%d.db' % (n + 1)))
            engine = sa.create_engine(url)
            t.CELL.create_all(engine)
            self.cells.append(engine)
        self.cell_of = {}
        self.ids = iter(range(1, 10 ** 6))
        with self.api.begin() as c:
            c.execute(t.cell_mappings.insert(), [
                {'id': 1, 'uuid': nova_db.CELL0_UUID, 'name': 'cell0',
                 'database_connection': 'sqlite:///nowhere',
                 'disabled': False}] + [
                {'id': n + 2, 'uuid': cell_uuid, 'name': 'cell%d' % (n + 1),
                 'database_connection': str(engine.url), 'disabled': False}
                for n, (cell_uuid, engine) in enumerate(
                    zip(CELLS, self.cells))])
            c.execute(t.aggregates.insert(),
                      [{'id': 1, 'uuid': 'agg-1', 'name': 'az1'}])
            c.execute(t.aggregate_hosts.insert(),
                      [{'aggregate_id': 1, 'host': 'cn1'}])

    def close(self):
        self.api.dispose()
        for engine in self.cells:
            engine.dispose()

    def write(self, host, *statements):
        with self.cells[self.cell_of[host]].begin() as c:
            for statement in statements:
                c.execute(statement)

    def add_host(self, host, cell=0, instances=0):
        now = self.utc()
        self.cell_of[host] = cell
        with self.api.begin() as c:
            c.execute(t.host_mappings.insert(),
                      [{'cell_id': cell + 2, 'host': host}])
        self.write(
            host,
            t.services.insert().values(
                id=next(self.ids), host=host, binary='nova-compute',
                disabled=False, forced_down=False, deleted=0,
                last_seen_up=now, created_at=now, updated_at=now),
            t.compute_nodes.insert().values(
                uuid='node-' + host, host=host, hypervisor_hostname=host,
                hypervisor_type='QEMU', hypervisor_version=8002000,
                cpu_info=json.dumps({'arch': 'x86_64'}), stats='{}',
                metrics='[]', deleted=0, created_at=now, updated_at=now))
        return [self.add_instance(host) for _ in range(instances)]

    def update_node(self, host, **stats):
        self.write(host, t.compute_nodes.update().where(
            t.compute_nodes.c.host == host, t.compute_nodes.c.deleted == 0
        ).values(stats=json.dumps(stats), updated_at=self.utc()))

    def delete_node(self, host):
        # As Nova's soft delete: updated_at is left as it was.
        self.write(host, t.compute_nodes.update().where(
            t.compute_nodes.c.host == host, t.compute_nodes.c.deleted == 0
        ).values(deleted=next(self.ids), deleted_at=self.utc()))

    def add_instance(self, host, image=None):
        uuid = 'i-%d' % next(self.ids)
        now = self.utc()
        statements = [t.instances.insert().values(
            uuid=uuid, host=host, project_id='p', vm_state='active',
            deleted=0, created_at=now, updated_at=now)]
        if image:
            statements.append(t.instance_system_metadata.insert().values(
                instance_uuid=uuid, key='image_hw_disk_bus', value=image,
                deleted=0))
        self.write(host, *statements)
        return uuid

    def _instance(self, where, uuid, **values):
        self.write(where, t.instances.update().where(
            t.instances.c.uuid == uuid).values(**values))

    def delete_instance(self, host, uuid):
        self._instance(host, uuid, deleted=next(self.ids),
                       deleted_at=self.utc())

    def move_instance(self, host, uuid, to):
        self._instance(host, uuid, host=to, updated_at=self.utc())

    def shelve_instance(self, host, uuid):
        self._instance(host, uuid, host=None, vm_state='shelved_offloaded',
                       updated_at=self.utc())

    def set_task(self, host, uuid, task_state):
        self._instance(host, uuid, task_state=task_state,
                       updated_at=self.utc())

    def service(self, host, **values):
        self.write(host, t.services.update().where(
            t.services.c.host == host, t.services.c.deleted == 0).values(
                **values))

    def heartbeat(self, host):
        self.service(host, last_seen_up=self.utc(), updated_at=self.utc())


@pytest.fixture
def utc():
    return UTC()


@pytest.fixture
def cloud(tmp_path, utc):
    cloud = Cloud(tmp_path, utc)
    cloud.add_host('cn1', instances=2)
    cloud.add_host('cn2', instances=1)
    cloud.add_host('cn3', cell=1, instances=1)
    yield cloud
    cloud.close()


def _source(cloud, utc, clock=None, images=False, **opts):
    conf = fakes.make_conf(
        host_facts_nova_db=dict(api_connection=cloud.api_url, **opts),
        host_facts={'max_stale_seconds': 60})
    if images:
        conf.set_override('image_props_weight_multiplier', 1.0,
                          group='filter_scheduler')
    return nova_db.NovaDBSource(conf, clock=clock or fakes.Clock(),
                                utcnow=utc)


@contextlib.contextmanager
def _statements():
    """The SQL statements every engine runs meanwhile."""
    seen = []

    def record(conn, cursor, statement, *args):
        seen.append(' '.join(statement.split()))

    sa.event.listen(sa.engine.Engine, 'before_cursor_execute', record)
    try:
        yield seen
    finally:
        sa.event.remove(sa.engine.Engine, 'before_cursor_execute', record)


def _cell_reads(statements):
    """The statements reading a cell table's rows, by table."""
    found = {}
    for statement in statements:
        for table in ('compute_nodes', 'instances', 'services'):
            if 'FROM %s' % table in statement:
                found.setdefault(table, []).append(statement)
    return found


def _full_load(cloud, utc, **kwargs):
    fresh = _source(cloud, utc, **kwargs)
    assert fresh.refresh()
    return fresh


def _records(source):
    source.take_changed()
    return dict(source.records())


def test_an_unchanged_refresh_keeps_every_record_and_reads_only_changes(
        cloud, utc):
    source = _source(cloud, utc)
    assert source.refresh()
    records, before = source.records(), _records(source)
    aggregates = source.aggregates()
    utc.advance(30)

    with _statements() as statements:
        assert source.refresh()

    assert source.take_changed() == set()
    assert source.records() is records
    assert all(records[name] is record for name, record in before.items())
    assert source.aggregates() is aggregates
    reads = _cell_reads(statements)
    assert sorted(reads) == ['compute_nodes', 'instances', 'services']
    for table, found in reads.items():
        for statement in found:
            assert '%s.updated_at >=' % table in statement, statement


def test_the_store_keeps_the_same_host_facts_of_unchanged_hosts(cloud, utc):
    source = _source(cloud, utc)
    facts_store = store.HostFactsStore(fakes.make_conf(), sources=[source])
    assert source.refresh()
    before = facts_store.known_facts()
    utc.advance(10)
    cloud.update_node('cn2', num_instances='2')

    assert source.refresh()

    after = facts_store.known_facts()
    assert after['cn1'] is before['cn1']
    assert after['cn3'] is before['cn3']
    assert after['cn2'] is not before['cn2']
    assert after['cn2'].compute.stats == {'num_instances': '2'}


def test_a_changed_compute_node_is_read(cloud, utc):
    source = _source(cloud, utc)
    assert source.refresh()
    before = _records(source)
    utc.advance(10)
    cloud.update_node('cn1', failed_builds='3')

    assert source.refresh()

    assert source.take_changed() == {'cn1'}
    cn1 = source.host('cn1')
    assert cn1.compute.stats == {'failed_builds': '3'}
    # Its instances did not change: the same mapping.
    assert cn1.instances is before['cn1'].instances
    assert source.host('cn2') is before['cn2']


def test_new_deleted_and_moved_instances_are_read(cloud, utc):
    source = _source(cloud, utc)
    assert source.refresh()
    first, second = sorted(source.host('cn1').instances)
    (other,) = source.host('cn2').instances
    before = _records(source)
    utc.advance(10)
    new = cloud.add_instance('cn3')
    cloud.delete_instance('cn1', first)
    cloud.move_instance('cn1', second, 'cn2')

    assert source.refresh()

    assert source.take_changed() == {'cn1', 'cn2', 'cn3'}
    assert list(source.host('cn1').instances) == []
    assert sorted(source.host('cn2').instances) == sorted([other, second])
    assert new in source.host('cn3').instances
    # The mappings published are never changed in place.
    assert sorted(before['cn1'].instances) == [first, second]


def test_without_instances_a_changed_node_has_them_unknown(cloud, utc):
    source = _source(cloud, utc, read_instances=False)
    assert source.refresh()
    utc.advance(10)
    cloud.update_node('cn1', failed_builds='1')
    cloud.add_instance('cn1')

    with _statements() as statements:
        assert source.refresh()

    assert source.take_changed() == {'cn1'}
    assert source.host('cn1').instances is None
    assert source.host('cn1').compute.stats == {'failed_builds': '1'}
    assert 'instances' not in _cell_reads(statements)


def test_a_cell_enabled_again_is_read_whole(cloud, utc):
    source = _source(cloud, utc)
    assert source.refresh()

    def disable(flag):
        with cloud.api.begin() as c:
            c.execute(t.cell_mappings.update().where(
                t.cell_mappings.c.uuid == CELLS[1]).values(disabled=flag))

    disable(True)
    assert source.refresh()
    assert source.host('cn3').compute is None
    assert 'disabled' in source.refused_hosts(['cn3'])['cn3']
    utc.advance(3600)
    # Written long before the next read's margin: only a full read sees it.
    cloud.update_node('cn3', num_instances='7')
    long_ago = START - datetime.timedelta(hours=1)
    cloud.write('cn3', t.compute_nodes.update().values(
        created_at=long_ago, updated_at=long_ago))
    disable(False)
    utc.advance(10)

    assert source.refresh()

    assert source.host('cn3').compute.stats == {'num_instances': '7'}
    assert source.refused_hosts(['cn3']) == {}


def test_a_shelved_instance_leaves_its_host(cloud, utc):
    source = _source(cloud, utc)
    assert source.refresh()
    (uuid,) = source.host('cn2').instances
    utc.advance(10)
    cloud.shelve_instance('cn2', uuid)

    assert source.refresh()

    assert list(source.host('cn2').instances) == []


def test_a_deleted_compute_node_leaves_its_host_refused(cloud, utc):
    source = _source(cloud, utc)
    assert source.refresh()
    utc.advance(10)
    cloud.delete_node('cn2')

    assert source.refresh()

    assert source.take_changed() == {'cn2'}
    assert source.host('cn2').compute is None
    assert 'no compute node' in source.refused_hosts(['cn2'])['cn2']


def test_a_new_compute_node_is_read(cloud, utc):
    source = _source(cloud, utc)
    assert source.refresh()
    utc.advance(10)
    cloud.add_host('cn4', cell=1, instances=1)

    source.catch_up(['cn4'])

    assert source.host('cn4').compute.service_up is True
    assert len(source.host('cn4').instances) == 1
    assert source.host('cn4').cell_uuid == CELLS[1]


def test_a_service_whose_heartbeats_stop_is_down_at_the_next_read(
        cloud, utc):
    source = _source(cloud, utc, service_down_time=60)
    assert source.refresh()
    utc.advance(50)
    cloud.heartbeat('cn1')
    assert source.refresh()
    assert source.take_changed() == set()
    utc.advance(20)

    # No row changed; cn2's and cn3's last heartbeat is 70 s old.
    assert source.refresh()

    assert source.take_changed() == {'cn2', 'cn3'}
    assert source.host('cn1').compute.service_up is True
    assert source.host('cn2').compute.service_up is False
    assert source.host('cn3').compute.service_up is False


def test_the_full_read_comes_on_its_interval_and_sees_hard_deletes(
        cloud, utc):
    clock = fakes.Clock()
    source = _source(cloud, utc, clock=clock, full_refresh_interval=600)
    assert source.refresh()
    (uuid,) = source.host('cn2').instances
    # nova-manage db purge: the row is gone, no timestamp tells.
    cloud.write('cn2', t.instances.delete().where(
        t.instances.c.uuid == uuid))
    clock.advance(599)
    utc.advance(599)
    assert source.refresh()
    assert uuid in source.host('cn2').instances
    clock.advance(1)
    utc.advance(1)

    with _statements() as statements:
        assert source.refresh()

    assert list(source.host('cn2').instances) == []
    reads = _cell_reads(statements)
    assert any('updated_at >=' not in s for s in reads['instances'])


def test_a_full_read_keeps_the_records_it_finds_unchanged(cloud, utc):
    source = _source(cloud, utc, full_refresh_interval=0)
    assert source.refresh()
    before = _records(source)
    utc.advance(10)
    cloud.update_node('cn3', num_instances='1')

    with _statements() as statements:
        assert source.refresh()

    assert source.take_changed() == {'cn3'}
    assert source.host('cn1') is before['cn1']
    assert source.host('cn2') is before['cn2']
    assert any('updated_at >=' not in s
               for s in _cell_reads(statements)['compute_nodes'])


def test_a_cell_read_again_after_a_failure_is_read_whole(cloud, utc,
                                                         tmp_path):
    source = _source(cloud, utc)
    assert source.refresh()
    (tmp_path / 'cell2.db').rename(tmp_path / 'moved.db')
    (tmp_path / 'cell2.db').mkdir()
    assert source.refresh()
    assert len(source.host('cn3').instances) == 1
    (tmp_path / 'cell2.db').rmdir()
    (tmp_path / 'moved.db').rename(tmp_path / 'cell2.db')
    with _statements() as statements:
        assert source.refresh()
    assert 'failing' not in source.health().describe()
    assert any('updated_at >=' not in s
               for s in _cell_reads(statements)['compute_nodes'])


def _change(rng, cloud, placed, serial):
    """One random change, as Nova's services make them."""
    hosts = sorted(cloud.cell_of)
    host = rng.choice(hosts)
    kind = rng.choice(['node', 'node', 'new host', 'delete node',
                       'instance', 'instance', 'delete instance', 'move',
                       'move', 'shelve', 'task', 'disable', 'heartbeat',
                       'heartbeat', 'delete service'])
    if kind == 'new host':
        name = 'cn-new-%d' % serial
        placed.update((u, name) for u in cloud.add_host(
            name, cell=rng.randrange(2), instances=rng.randrange(3)))
    elif kind == 'node':
        cloud.update_node(host, num_instances=str(rng.randrange(9)))
    elif kind == 'delete node':
        cloud.delete_node(host)
    elif kind == 'instance':
        uuid = cloud.add_instance(host, image=rng.choice([None, 'scsi']))
        placed[uuid] = host
    elif kind == 'disable':
        cloud.service(host, disabled=rng.random() < 0.5,
                      disabled_reason='why %d' % serial,
                      updated_at=cloud.utc())
    elif kind == 'heartbeat':
        cloud.heartbeat(host)
    elif kind == 'delete service':
        cloud.service(host, deleted=next(cloud.ids),
                      deleted_at=cloud.utc())
    elif placed:
        uuid = rng.choice(sorted(placed))
        where = placed[uuid]
        if kind == 'delete instance':
            cloud.delete_instance(where, uuid)
            del placed[uuid]
        elif kind == 'shelve':
            cloud.shelve_instance(where, uuid)
            del placed[uuid]
        elif kind == 'task':
            cloud.set_task(where, uuid, rng.choice([None, 'migrating']))
        else:
            same_cell = [h for h in hosts
                         if cloud.cell_of[h] == cloud.cell_of[where]]
            to = rng.choice(same_cell)
            cloud.move_instance(where, uuid, to)
            placed[uuid] = to


@pytest.mark.parametrize('seed,images', [(1, False), (2, True), (3, False),
                                         (4, True)])
def test_reading_changes_ends_where_a_full_read_does(tmp_path, utc, seed,
                                                     images):
    rng = random.Random(seed)
    cloud = Cloud(tmp_path, utc)
    placed = {}
    try:
        for n in range(6):
            placed.update((u, 'cn%d' % n) for u in cloud.add_host(
                'cn%d' % n, cell=n % 2, instances=3))
        source = _source(cloud, utc, images=images,
                         full_refresh_interval=86400)
        assert source.refresh()
        serial = 0
        for _ in range(25):
            for _ in range(rng.randrange(6)):
                serial += 1
                utc.advance(rng.choice([0, 0, 1, 3]))
                _change(rng, cloud, placed, serial)
            utc.advance(rng.choice([0, 1, 4, 6, 20, 45]))
            assert source.refresh()
            full = _full_load(cloud, utc, images=images)
            assert source.records() == full.records()
            assert source.aggregates() == full.aggregates()
    finally:
        cloud.close()
