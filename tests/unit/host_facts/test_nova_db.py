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

"""nova_db against sqlite files with the columns it reads.

Nova's real schema, made by Nova's own migrations, is in
tests/nova_compat/test_nova_db.py.
"""

import datetime
import json
import logging
import time

import pytest
import sqlalchemy as sa

from scheduler.host_facts import base
from scheduler.host_facts import nova_db
from scheduler.host_facts import nova_db_reads
from scheduler.host_facts import nova_tables as t
from scheduler.host_facts import rpc
from scheduler.host_facts import store
from scheduler.host_state import facts
from tests.unit.host_facts import fakes

NOW = datetime.datetime(2026, 1, 1, 12, 0, 0)
CELL1 = 'c1000000-0000-4000-8000-000000000001'


def _db(path, metadata):
    url = 'sqlite:///%s' % path
    engine = sa.create_engine(url)
    metadata.create_all(engine)
    return url, engine


@pytest.fixture
def cloud(tmp_path):
    api_url, api = _db(tmp_path / 'api.db', t.API)
    cell_url, cell = _db(tmp_path / 'cell1.db', t.CELL)
    with api.begin() as c:
        c.execute(t.cell_mappings.insert(), [
            {'id': 1, 'uuid': nova_db.CELL0_UUID, 'name': 'cell0',
             'database_connection': 'sqlite:///nowhere', 'disabled': False},
            {'id': 2, 'uuid': CELL1, 'name': 'cell1',
             'database_connection': cell_url, 'disabled': False}])
        c.execute(t.host_mappings.insert(), [
            {'cell_id': 2, 'host': 'cn1'}, {'cell_id': 2, 'host': 'cn2'}])
        c.execute(t.aggregates.insert(),
                  [{'id': 1, 'uuid': 'agg-1', 'name': 'az1'}])
        c.execute(t.aggregate_hosts.insert(),
                  [{'aggregate_id': 1, 'host': 'cn1'}])
        c.execute(t.aggregate_metadata.insert(), [
            {'aggregate_id': 1, 'key': 'availability_zone', 'value': 'az1'}])
    with cell.begin() as c:
        c.execute(t.services.insert(), [
            {'id': 1, 'host': 'cn1', 'binary': 'nova-compute',
             'disabled': False, 'disabled_reason': None,
             'forced_down': False, 'deleted': 0,
             'last_seen_up': NOW - datetime.timedelta(seconds=10)},
            {'id': 2, 'host': 'cn2', 'binary': 'nova-compute',
             'disabled': True, 'disabled_reason': 'maintenance',
             'forced_down': False, 'deleted': 0,
             'last_seen_up': NOW - datetime.timedelta(seconds=600)}])
        c.execute(t.compute_nodes.insert(), [
            {'uuid': 'cn-%d' % n, 'host': 'cn%d' % n,
             'hypervisor_hostname': 'cn%d' % n, 'hypervisor_type': 'QEMU',
             'hypervisor_version': 8002000, 'deleted': 0,
             'cpu_info': json.dumps({'arch': 'x86_64'}),
             'stats': json.dumps({'failed_builds': '0'}),
             'metrics': json.dumps([{'name': 'cpu.percent', 'value': 5}])}
            for n in (1, 2)])
        c.execute(t.instances.insert(), [
            {'uuid': 'i-1', 'host': 'cn1', 'project_id': 'p',
             'vm_state': 'active', 'deleted': 0},
            {'uuid': 'i-gone', 'host': 'cn1', 'project_id': 'p',
             'vm_state': 'deleted', 'deleted': 7}])
    api.dispose()
    cell.dispose()
    return api_url, cell_url, tmp_path


def _source(api_url, clock=None, **opts):
    conf = fakes.make_conf(host_facts_nova_db=dict(api_connection=api_url,
                                                   **opts),
                           host_facts={'max_stale_seconds': 60})
    return nova_db.NovaDBSource(conf, clock=clock or fakes.Clock(),
                                utcnow=lambda: NOW)


def _write_cell(cell_url, *statements):
    """Change the cell database as Nova's services would."""
    cell = sa.create_engine(cell_url)
    with cell.begin() as c:
        for statement in statements:
            c.execute(statement)
    cell.dispose()


def test_reads_aggregates_computes_services_and_instances(cloud):
    source = _source(cloud[0])
    assert source.refresh()
    (aggregate,) = source.aggregates().values()
    assert aggregate.hosts == frozenset(['cn1'])
    assert aggregate.metadata == {'availability_zone': 'az1'}
    cn1, cn2 = source.host('cn1'), source.host('cn2')
    assert cn1.cell_uuid == CELL1
    assert list(cn1.instances) == ['i-1']
    assert cn1.compute.cpu_info == {'arch': 'x86_64'}
    assert cn1.compute.metrics == {'cpu.percent': 5}
    assert cn1.compute.stats == {'failed_builds': '0'}
    assert (cn1.compute.service_up, cn1.compute.service_disabled) == (
        True, False)
    assert (cn2.compute.service_up, cn2.compute.service_disabled,
            cn2.compute.service_disabled_reason) == (
        False, True, 'maintenance')


def test_instances_not_read_are_unknown_not_none(cloud):
    source = _source(cloud[0], read_instances=False)
    assert source.refresh()
    cn1 = source.host('cn1')
    assert cn1.instances is None
    assert cn1.compute.service_up is True
    assert source.supplies == frozenset([facts.COMPUTE])
    # Merged with the casts: unknown until the compute's list arrives.
    conf = fakes.make_conf()
    facts_store = store.HostFactsStore(conf, sources=[
        rpc.RPCSource(conf, clock=fakes.Clock()), source])
    assert not facts_store.known_facts()['cn1'].instances_known
    facts_store.sync_instances('cn1', ['i-1'])
    cn1 = facts_store.known_facts()['cn1']
    assert cn1.instances_known
    assert list(cn1.instances) == ['i-1']
    assert cn1.compute.service_up is True


def test_connections_refuse_writes(cloud):
    engine = nova_db_reads.read_only_engine(cloud[0])
    with pytest.raises(sa.exc.OperationalError, match='readonly'):
        with engine.begin() as c:
            c.execute(t.aggregates.delete())
    with engine.connect() as c:
        assert c.execute(sa.select(sa.func.count()).select_from(
            t.aggregates)).scalar() == 1


def test_missing_api_connection_is_a_load_error():
    with pytest.raises(ValueError, match='api_connection'):
        nova_db.NovaDBSource(fakes.make_conf())


def test_a_failure_naming_a_url_never_logs_its_password(cloud, caplog):
    caplog.set_level(logging.DEBUG)
    source = _source(cloud[0])

    def load():
        raise RuntimeError('mysql+pymysql://nova:s3cret@db/nova is down')

    source.load = load
    assert not source.refresh()
    assert source.state() == base.FAILED
    assert 'nova:***@db' in caplog.text
    assert 's3cret' not in caplog.text
    assert 's3cret' not in source.health().describe()


def test_mask_hides_url_passwords():
    text = nova_db_reads.mask('mysql+pymysql://nova:s3cret@db/nova failed')
    assert 's3cret' not in text
    assert 'nova:***@db' in text


def test_failing_cell_serves_its_last_data_then_its_hosts_are_refused(
        cloud):
    api_url, cell_url, tmp_path = cloud
    clock = fakes.Clock()
    source = _source(api_url, clock=clock)
    assert source.refresh()
    (tmp_path / 'cell1.db').rename(tmp_path / 'moved.db')
    (tmp_path / 'cell1.db').mkdir()
    assert source.refresh()
    assert list(source.host('cn1').instances) == ['i-1']
    assert source.refused_hosts(['cn1']) == {}
    assert 'failing: cell1' in source.health().describe()
    clock.advance(61)
    source.refresh()
    refused = source.refused_hosts(['cn1', 'cn2'])
    assert sorted(refused) == ['cn1', 'cn2']
    assert 'cell1' in refused['cn1']


def test_a_host_without_a_compute_node_in_nova_is_refused(cloud):
    source = _source(cloud[0])
    assert source.refresh()
    refused = source.refused_hosts(['cn1', 'stranger'])
    assert list(refused) == ['stranger']
    assert 'no compute node' in refused['stranger']


def test_a_mapped_host_whose_compute_node_is_deleted_is_refused(cloud):
    # As Nova's service delete leaves it: the host mapping, no node.
    api_url, cell_url, _ = cloud
    _write_cell(cell_url, t.compute_nodes.update().where(
        t.compute_nodes.c.host == 'cn2').values(deleted=2))
    source = _source(api_url)
    assert source.refresh()
    assert source.host('cn2').cell_uuid == CELL1
    refused = source.refused_hosts(['cn1', 'cn2'])
    assert list(refused) == ['cn2']
    assert 'no compute node' in refused['cn2']


def test_a_node_whose_service_record_is_deleted_is_down(cloud):
    # Nova's host manager leaves out a compute node with no service.
    api_url, cell_url, _ = cloud
    _write_cell(cell_url, t.services.update().where(
        t.services.c.host == 'cn1').values(deleted=1))
    source = _source(api_url)
    assert source.refresh()
    assert source.host('cn1').compute.service_up is False


def test_services_changed_since_the_last_read_are_seen_by_the_next_request(
        cloud):
    api_url, cell_url, _ = cloud
    source = _source(api_url)
    assert source.refresh()
    source.take_changed()
    later = NOW + datetime.timedelta(seconds=1)
    _write_cell(
        cell_url,
        # As Nova's service delete: updated_at is left as it was.
        t.services.update().where(t.services.c.host == 'cn1').values(
            deleted=1, deleted_at=later),
        t.services.update().where(t.services.c.host == 'cn2').values(
            disabled=False, disabled_reason=None, updated_at=later))

    source.before_request()

    assert source.take_changed() == {'cn1', 'cn2'}
    assert source.host('cn1').compute.service_up is False
    assert source.host('cn2').compute.service_disabled is False
    assert list(source.host('cn1').instances) == ['i-1']


def test_a_heartbeat_alone_changes_no_record(cloud):
    api_url, cell_url, _ = cloud
    source = _source(api_url)
    assert source.refresh()
    source.take_changed()
    before = source.host('cn1')
    _write_cell(cell_url, t.services.update().where(
        t.services.c.host == 'cn1').values(last_seen_up=NOW, updated_at=NOW))

    source.before_request()

    assert source.take_changed() == set()
    assert source.host('cn1') is before


def test_hosts_of_a_disabled_cell_are_refused(cloud):
    api_url = cloud[0]
    engine = sa.create_engine(api_url)
    with engine.begin() as c:
        c.execute(t.cell_mappings.update().where(
            t.cell_mappings.c.id == 2).values(disabled=True))
    engine.dispose()
    source = _source(api_url)
    source.refresh()
    assert source.host('cn1').compute is None
    assert 'disabled' in source.refused_hosts(['cn1'])['cn1']


def test_a_host_out_of_date_wakes_the_refresh_early(cloud):
    source = _source(cloud[0], refresh_interval=3600)
    source.start()
    try:
        engine = sa.create_engine(cloud[1])
        with engine.begin() as c:
            # As Nova creates it: the next read reads what changed.
            c.execute(t.instances.insert(), [{
                'uuid': 'i-2', 'host': 'cn1', 'deleted': 0,
                'created_at': NOW, 'updated_at': NOW}])
        engine.dispose()
        source.host_out_of_date('cn1')
        for _ in range(200):
            if 'i-2' in source.host('cn1').instances:
                break
            time.sleep(0.05)
        assert sorted(source.host('cn1').instances) == ['i-1', 'i-2']
    finally:
        source.stop()


def _weighing_images(api_url):
    conf = fakes.make_conf(host_facts_nova_db={'api_connection': api_url},
                           host_facts={'max_stale_seconds': 60})
    conf.set_override('image_props_weight_multiplier', 1.0,
                      group='filter_scheduler')
    return nova_db.NovaDBSource(conf, clock=fakes.Clock(),
                                utcnow=lambda: NOW)


def test_image_properties_are_read_while_the_weigher_weighs(cloud):
    _write_cell(cloud[1], t.instance_system_metadata.insert().values([
        {'instance_uuid': 'i-1', 'key': 'image_hw_disk_bus',
         'value': 'scsi', 'deleted': 0},
        {'instance_uuid': 'i-1', 'key': 'image_min_ram', 'value': '512',
         'deleted': 0},
        {'instance_uuid': 'i-1', 'key': 'image_os_distro',
         'value': 'fedora', 'deleted': 3},
        # "_" is no wildcard: imagexhw is not an image key.
        {'instance_uuid': 'i-1', 'key': 'imagexhw_machine_type',
         'value': 'q35', 'deleted': 0},
        {'instance_uuid': 'i-1', 'key': 'owner_user_name', 'value': 'u',
         'deleted': 0}]))
    source = _weighing_images(cloud[0])
    assert source.refresh()
    assert source.host('cn1').instances['i-1'].image_properties == {
        ('hw_disk_bus', 'scsi')}
    # Off (the default multiplier), nothing is read.
    source = _source(cloud[0])
    assert source.refresh()
    assert source.host('cn1').instances['i-1'].image_properties == set()
