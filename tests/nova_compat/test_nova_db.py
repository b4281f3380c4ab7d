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

"""The ``nova_db`` host-facts source on Nova's real schema.

Nova's own migrations make an API database and two cell databases on
sqlite; Nova's own objects write the rows. The source runs in a process of
its own (``host_facts_probe``): the service's options and Nova's cannot
share one.
"""

import configparser
import hashlib
import json
import os
import subprocess
import sys
import uuid

import pytest

from tests.fixtures import server
from tests.nova_compat import layout

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
NOVA_DEFAULT_FILTERS = (
    'ComputeFilter', 'ComputeCapabilitiesFilter', 'ImagePropertiesFilter',
    'ServerGroupAntiAffinityFilter', 'ServerGroupAffinityFilter')
HOSTS = ('db-up', 'db-disabled', 'db-down', 'db-forced-down', 'db-cell2')


@pytest.fixture(scope='module')
def nova_dbs(nova, tmp_path_factory):
    from tests.nova_compat import nova_db_side as side

    path = tmp_path_factory.mktemp('nova-db')
    side.create_api_db(str(path / 'api.db'))
    ctxt = side.admin_context()
    cell1 = side.create_cell(ctxt, 'cell1', str(path / 'cell1.db'))
    cell2 = side.create_cell(ctxt, 'cell2', str(path / 'cell2.db'))
    _, up = side.create_compute(ctxt, cell1, 'db-up')
    side.create_compute(ctxt, cell1, 'db-disabled',
                        disabled_reason='hardware check')
    side.create_compute(ctxt, cell1, 'db-down',
                        last_seen_up=side.long_ago(3600))
    side.create_compute(ctxt, cell1, 'db-forced-down', forced_down=True)
    side.create_compute(ctxt, cell2, 'db-cell2')
    kept = side.create_instance(ctxt, cell1, up, image={
        'id': 'image-1', 'min_ram': 512, 'disk_format': 'qcow2',
        'properties': {'hw_disk_bus': 'scsi',
                       'hw_vif_multiqueue_enabled': 'true'}})
    gone = side.create_instance(ctxt, cell1, up)
    side.delete_instance(ctxt, cell1, gone)
    side.create_aggregate(ctxt, 'rack-a', ['db-up', 'db-cell2'],
                          {'availability_zone': 'az-a', 'ssd': 'true'})
    side.create_aggregate(ctxt, 'no-meta', ['db-down'], {})
    # The Placement hosts of the session: two in each cell, one zone.
    for n, name in enumerate(layout.HOST_NAMES):
        side.create_compute(ctxt, cell1 if n < 2 else cell2, name,
                            numa=side.numa_topology(['physnet1']))
    side.create_aggregate(ctxt, 'placement-hosts', layout.HOST_NAMES,
                          {'availability_zone': 'az-db'})
    conf = configparser.ConfigParser()
    conf['host_facts_nova_db'] = {
        'api_connection': side.sqlite_url(path / 'api.db')}
    conf['filter_scheduler'] = {'image_props_weight_multiplier': '1.0'}
    config_file = path / 'scheduler.conf'
    with open(config_file, 'w') as f:
        conf.write(f)
    return {'path': path, 'config': str(config_file), 'ctxt': ctxt,
            'cell1': cell1, 'cell2': cell2, 'kept': kept, 'gone': gone,
            'side': side}


def _probe(config_file):
    out = subprocess.run(
        [sys.executable, '-m', 'tests.nova_compat.host_facts_probe',
         config_file] + list(HOSTS),
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout)


def _digests(path):
    return {name: hashlib.sha256((path / name).read_bytes()).hexdigest()
            for name in ('api.db', 'cell1.db', 'cell2.db')}


def test_aggregates_come_with_their_hosts_and_metadata(nova_dbs):
    facts = _probe(nova_dbs['config'])
    assert facts['refreshed'], facts['health']
    assert [(a['name'], a['hosts'], a['metadata'])
            for a in facts['aggregates']] == [
        ('no-meta', ['db-down'], {}),
        ('placement-hosts', sorted(layout.HOST_NAMES),
         {'availability_zone': 'az-db'}),
        ('rack-a', ['db-cell2', 'db-up'],
         {'availability_zone': 'az-a', 'ssd': 'true'})]


def test_each_host_carries_the_cell_its_compute_node_is_in(nova_dbs):
    hosts = _probe(nova_dbs['config'])['hosts']
    cell1, cell2 = nova_dbs['cell1'].uuid, nova_dbs['cell2'].uuid
    assert {name: h['cell_uuid'] for name, h in hosts.items()} == {
        'db-up': cell1, 'db-disabled': cell1, 'db-down': cell1,
        'db-forced-down': cell1, 'db-cell2': cell2}


def test_disabled_and_down_services_are_told_apart(nova_dbs):
    hosts = _probe(nova_dbs['config'])['hosts']
    state = {name: (h['compute']['service_up'],
                    h['compute']['service_disabled'],
                    h['compute']['service_disabled_reason'])
             for name, h in hosts.items()}
    assert state == {
        'db-up': (True, False, None),
        'db-disabled': (True, True, 'hardware check'),
        'db-down': (False, False, None),
        'db-forced-down': (False, False, None),
        'db-cell2': (True, False, None)}


def test_compute_details_are_read(nova_dbs):
    compute = _probe(nova_dbs['config'])['hosts']['db-up']['compute']
    assert compute['hypervisor_type'] == 'QEMU'
    assert compute['hypervisor_version'] == 8002000
    assert compute['cpu_info'] == {'arch': 'x86_64', 'vendor': 'Intel'}
    assert compute['stats']['failed_builds'] == '0'
    assert compute['supported_instances'] == [['x86_64', 'kvm', 'hvm']]
    # Nova's NUMA limits are the compute node's own ratios.
    assert (compute['cpu_allocation_ratio'],
            compute['ram_allocation_ratio']) == (4.0, 1.0)
    assert compute['updated_at'] is not None


def test_live_instances_are_on_their_host_deleted_ones_are_not(nova_dbs):
    hosts = _probe(nova_dbs['config'])['hosts']
    assert hosts['db-up']['instances'] == [nova_dbs['kept'].uuid]
    assert hosts['db-cell2']['instances'] == []


def test_image_properties_are_those_nova_wrote_for_the_image(nova_dbs):
    # What ImagePropertiesWeigher compares: the image's properties as the
    # system metadata holds them, not its own fields (min_ram...).
    hosts = _probe(nova_dbs['config'])['hosts']
    assert hosts['db-up']['image_properties'] == {nova_dbs['kept'].uuid: [
        ['hw_disk_bus', 'scsi'], ['hw_vif_multiqueue_enabled', 'true']]}


def test_reading_never_writes_to_nova_databases(nova_dbs):
    before = _digests(nova_dbs['path'])
    _probe(nova_dbs['config'])
    assert _digests(nova_dbs['path']) == before


def test_hosts_of_a_disabled_cell_are_refused(nova_dbs):
    cell2 = nova_dbs['cell2']
    cell2.disabled = True
    cell2.save()
    try:
        facts = _probe(nova_dbs['config'])
    finally:
        cell2.disabled = False
        cell2.save()
    assert sorted(facts['refused']) == ['db-cell2']
    assert 'cell2' in facts['refused']['db-cell2']
    assert 'disabled' in facts['health']


def test_unreadable_cell_database_is_reported(nova_dbs, tmp_path):
    broken = tmp_path / 'broken.db'
    broken.mkdir()
    cell2 = nova_dbs['cell2']
    good = cell2.database_connection
    cell2.database_connection = nova_dbs['side'].sqlite_url(broken)
    cell2.save()
    try:
        facts = _probe(nova_dbs['config'])
    finally:
        cell2.database_connection = good
        cell2.save()
    # A fresh process has no last good data of the cell: it fails closed.
    assert sorted(facts['refused']) == ['db-cell2']
    assert 'failing: cell2' in facts['health']
    assert facts['hosts']['db-up']['compute'] is not None


@pytest.fixture
def nova_db_service(nova_dbs, workdir, broker, placement, hosts):
    """A second scheduler-server reading Nova's databases.

    It has a server name of its own; calls are sent to it alone.
    """
    service = server.SchedulerServerProcess(
        str(workdir / 'scheduler-nova-db'), broker, placement.endpoint,
        host='sched-nova-db', workers=1, extra_conf={
            'scheduler': {'max_attempts': layout.MAX_ATTEMPTS},
            'filter_scheduler': {'enabled_filters': ','.join(
                NOVA_DEFAULT_FILTERS + ('NUMATopologyFilter',))},
            'host_facts': {'sources': 'nova_db'},
            'host_facts_nova_db': {
                'api_connection': nova_dbs['side'].sqlite_url(
                    nova_dbs['path'] / 'api.db'),
                # No compute heartbeats here: the services written at the
                # module's start stay up however slow the machine is.
                'service_down_time': 3600}})
    try:
        service.start()
        yield service
    finally:
        service.stop()


def _nova_db_service_api(nova):
    """Nova's SchedulerAPI, its calls sent to the nova_db service alone."""
    api = nova.scheduler_api()
    api.client = api.client.prepare(server='sched-nova-db')
    return api


def test_selections_carry_nova_cells_and_zones_alternates_stay_in_cell(
        nova, nova_dbs, nova_db_service, ctxt, new_uuids):
    api = _nova_db_service_api(nova)
    flavor = nova.make_flavor('compat.db', vcpus=1, memory_mb=128,
                              root_gb=1)
    cells = {name: (nova_dbs['cell1'] if n < 2 else nova_dbs['cell2']).uuid
             for n, name in enumerate(layout.HOST_NAMES)}
    for _ in range(4):
        [instance] = new_uuids(1)
        spec = nova.make_request_spec(ctxt, flavor, [instance])
        [selections] = api.select_destinations(
            ctxt, spec, [instance], return_objects=True,
            return_alternates=True)
        chosen_cell = cells[selections[0].service_host]
        # Two hosts per cell: the chosen one and one alternate.
        assert [s.cell_uuid for s in selections] == [chosen_cell] * 2
        assert {cells[s.service_host] for s in selections} == {chosen_cell}
        assert {s.availability_zone for s in selections} == {'az-db'}


def test_a_numa_guest_s_selections_carry_nova_s_numa_limits(
        nova, nova_dbs, nova_db_service, ctxt, new_uuids):
    # What Nova's NUMATopologyFilter leaves in host_state.limits, for the
    # compute's own claim: the node's ratios, the requested networks.
    from nova import objects

    api = _nova_db_service_api(nova)
    flavor = nova.make_flavor('compat.numa', vcpus=2, memory_mb=256,
                              root_gb=1)
    [instance] = new_uuids(1)
    spec = nova.make_request_spec(ctxt, flavor, [instance])
    spec.numa_topology = objects.InstanceNUMATopology(cells=[
        objects.InstanceNUMACell(id=0, cpuset={0, 1}, pcpuset=set(),
                                 memory=256)])
    spec.network_metadata = objects.NetworkMetadata(physnets={'physnet1'},
                                                    tunneled=False)
    [selections] = api.select_destinations(
        ctxt, spec, [instance], return_objects=True, return_alternates=True)
    assert len(selections) == 2
    for chosen in selections:
        limits = chosen.limits.numa_topology
        assert isinstance(limits, objects.NUMATopologyLimits)
        assert (limits.cpu_allocation_ratio,
                limits.ram_allocation_ratio) == (4.0, 1.0)
        assert limits.network_metadata.physnets == {'physnet1'}
        assert limits.network_metadata.tunneled is False
    # Without a guest topology, no NUMA limits (as Nova).
    [instance] = new_uuids(1)
    spec = nova.make_request_spec(ctxt, flavor, [instance])
    [selections] = api.select_destinations(
        ctxt, spec, [instance], return_objects=True, return_alternates=True)
    assert [s.limits.numa_topology for s in selections] == [None, None]


# Computes of the Nova databases above, and what ComputeFilter must make of
# them once nova_db reports them: only the up and enabled one is chosen.
COMPUTE_STATES = ('db-up', 'db-disabled', 'db-down', 'db-forced-down')


@pytest.fixture
def compute_state_placement(tmp_path):
    """A Placement of its own holding the computes of COMPUTE_STATES.

    None carries COMPUTE_STATUS_DISABLED: what keeps the disabled and down
    ones out is ComputeFilter reading Nova's services.
    """
    from scheduler.sim import cloud
    from scheduler.sim import placement_server

    workdir = tmp_path / 'placement'
    workdir.mkdir()
    service = placement_server.PlacementServer(str(workdir))
    endpoint = service.start()
    cloud.create_hosts(endpoint, [cloud.Host(
        name=name, uuid=str(uuid.uuid5(uuid.NAMESPACE_DNS, name)),
        inventory={'VCPU': {'total': 16, 'allocation_ratio': 1.0},
                   'MEMORY_MB': {'total': 16384, 'allocation_ratio': 1.0},
                   'DISK_GB': {'total': 100, 'allocation_ratio': 1.0}},
        traits=[]) for name in COMPUTE_STATES])
    yield service
    service.stop()


def _compute_state_service(tmp_path, broker, placement, name, extra):
    conf = {'scheduler': {'max_attempts': layout.MAX_ATTEMPTS},
            'filter_scheduler': {
                'enabled_filters': ','.join(NOVA_DEFAULT_FILTERS)}}
    conf.update(extra)
    service = server.SchedulerServerProcess(
        str(tmp_path / name), broker, placement.endpoint, host=name,
        workers=1, extra_conf=conf)
    service.start()
    return service


def test_compute_state_unknown_without_nova_db_then_only_up_hosts_chosen(
        nova, nova_dbs, compute_state_placement, broker, ctxt, tmp_path):
    from nova import exception as nova_exception

    flavor = nova.make_flavor('compat.state', vcpus=1, memory_mb=128,
                              root_gb=1)
    casts_only = _compute_state_service(
        tmp_path, broker, compute_state_placement, 'sched-casts-only',
        {'host_facts': {'sources': ''}})
    try:
        api = nova.scheduler_api()
        api.client = api.client.prepare(server='sched-casts-only')
        instance = str(uuid.uuid4())
        with pytest.raises(nova_exception.NoValidHost) as caught:
            api.select_destinations(
                ctxt, nova.make_request_spec(ctxt, flavor, [instance]),
                [instance], return_objects=True, return_alternates=True)
        text = str(caught.value)
        assert 'ComputeFilter 4->0' in text
        assert 'compute service and details unknown' in text
        assert '[host_facts] sources = nova_db' in text
    finally:
        casts_only.stop()

    with_nova_db = _compute_state_service(
        tmp_path, broker, compute_state_placement, 'sched-with-nova-db',
        {'host_facts': {'sources': 'nova_db'},
         'host_facts_nova_db': {
             'api_connection': nova_dbs['side'].sqlite_url(
                 nova_dbs['path'] / 'api.db'),
             # db-down's last heartbeat is an hour old; db-up's is from
             # the module's start, up for half an hour here.
             'service_down_time': 1800}})
    try:
        api = nova.scheduler_api()
        api.client = api.client.prepare(server='sched-with-nova-db')
        chosen = set()
        for _ in range(3):
            instance = str(uuid.uuid4())
            [selections] = api.select_destinations(
                ctxt, nova.make_request_spec(ctxt, flavor, [instance]),
                [instance], return_objects=True, return_alternates=True)
            chosen.update(s.service_host for s in selections)
        assert chosen == {'db-up'}
    finally:
        with_nova_db.stop()
