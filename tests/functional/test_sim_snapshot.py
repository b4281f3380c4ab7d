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

"""scheduler-sim snapshot on real Placements: taken, loaded, taken again.

Placement A holds a cloud as a deployment has it: a compute node with two
NUMA children and a PCI-ish child, a flat compute node, a sharing disk
provider in an aggregate with both, custom and standard traits, and
allocations, some over today's max_unit and capacity. Its snapshot is
loaded into an empty Placement B, whose snapshot must be the same.
"""

import os
import socket
import subprocess
import sys
import uuid

import pytest
import yaml

from scheduler.sim import cloud
from scheduler.sim import placement_server
from scheduler.sim import snapshot

AGGREGATE = str(uuid.uuid5(uuid.NAMESPACE_DNS, 'agg.snapshot.test'))
V = '1.36'


def _uuid(name):
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, name + '.snapshot.test'))


CN1, CN2, SHARED = _uuid('cn1'), _uuid('cn2'), _uuid('shared-disk')
NUMA0, NUMA1, PCI = _uuid('cn1-numa0'), _uuid('cn1-numa1'), _uuid('cn1-pci')


class _Provider(object):
    def __init__(self, api, name, rp_uuid, parent=None):
        self.api, self.uuid = api, rp_uuid
        body = {'name': name, 'uuid': rp_uuid}
        if parent:
            body['parent_provider_uuid'] = parent
        self.generation = api.post('/resource_providers', json=body,
                                   microversion=V).json()['generation']

    def put(self, what, **body):
        body['resource_provider_generation'] = self.generation
        self.generation = self.api.put(
            '/resource_providers/%s/%s' % (self.uuid, what), json=body,
            microversion=V).json()['resource_provider_generation']
        return self

    def refresh(self):
        self.generation = self.api.get(
            '/resource_providers/%s' % self.uuid,
            microversion=V).json()['generation']
        return self


def _inv(total, **fields):
    return dict({'total': total}, **fields)


def _allocate(api, allocations):
    api.put('/allocations/%s' % uuid.uuid4(), microversion=V, json={
        'allocations': {rp: {'resources': r} for rp, r in allocations.items()},
        'project_id': 'p', 'user_id': 'u', 'consumer_generation': None})


def build_cloud(endpoint):
    """The cloud of Placement A (see the module's docstring)."""
    api = cloud.placement_adapter(endpoint)
    for trait in ('CUSTOM_GOLD', 'CUSTOM_NUMA'):
        api.put('/traits/%s' % trait)
    api.put('/resource_classes/CUSTOM_PCI_GPU', microversion=V)
    cn1 = _Provider(api, 'cn1', CN1).put(
        'traits', traits=['COMPUTE_NODE', 'CUSTOM_GOLD'])
    cn1.put('aggregates', aggregates=[AGGREGATE])
    for name, rp_uuid in (('cn1-numa0', NUMA0), ('cn1-numa1', NUMA1)):
        _Provider(api, name, rp_uuid, CN1).put('inventories', inventories={
            'VCPU': _inv(16, allocation_ratio=4.0, max_unit=16),
            'MEMORY_MB': _inv(65536, reserved=512, max_unit=65536,
                              step_size=256)}).put(
            'traits', traits=['CUSTOM_NUMA', 'HW_NUMA_ROOT'])
    _Provider(api, 'cn1-pci', PCI, CN1).put('inventories', inventories={
        'CUSTOM_PCI_GPU': _inv(4, max_unit=1)})
    cn2 = _Provider(api, 'cn2', CN2).put('inventories', inventories={
        'VCPU': _inv(16, allocation_ratio=4.0, max_unit=8),
        'MEMORY_MB': _inv(32768, min_unit=256, step_size=256,
                          max_unit=4096)})
    cn2.put('traits', traits=['COMPUTE_NODE', 'HW_CPU_X86_AVX2'])
    cn2.put('aggregates', aggregates=[AGGREGATE])
    _Provider(api, 'shared-disk', SHARED).put('inventories', inventories={
        'DISK_GB': _inv(10000, reserved=100, max_unit=2000)}).put(
        'traits', traits=['MISC_SHARES_VIA_AGGREGATE']).put(
        'aggregates', aggregates=[AGGREGATE])
    _allocate(api, {NUMA0: {'VCPU': 4, 'MEMORY_MB': 4096},
                    PCI: {'CUSTOM_PCI_GPU': 1}, SHARED: {'DISK_GB': 1500}})
    _allocate(api, {PCI: {'CUSTOM_PCI_GPU': 1}, SHARED: {'DISK_GB': 1500}})
    for _ in range(3):
        # 24 VCPU over max_unit 8, then over a capacity lowered to 16.
        _allocate(api, {CN2: {'VCPU': 8, 'MEMORY_MB': 2048}})
    cn2.refresh().put('inventories', inventories={
        'VCPU': _inv(16, allocation_ratio=1.0, max_unit=8),
        'MEMORY_MB': _inv(32768, min_unit=256, step_size=256,
                          max_unit=4096)})


@pytest.fixture
def placement_b(tmp_path):
    workdir = tmp_path / 'placement-b'
    workdir.mkdir()
    with placement_server.PlacementServer(str(workdir)) as service:
        yield service


def test_a_snapshot_loaded_into_an_empty_placement_is_the_same(
        placement, placement_b):
    build_cloud(placement.endpoint)
    taken = snapshot.take(cloud.placement_adapter(placement.endpoint))

    b = cloud.placement_adapter(placement_b.endpoint)
    snapshot.load(b, yaml.safe_load(yaml.safe_dump(taken)))

    assert snapshot.take(b) == taken
    providers = {p['name']: p for p in taken['providers']}
    assert [p['name'] for p in taken['providers']] == [
        'cn1', 'cn1-numa0', 'cn1-numa1', 'cn1-pci', 'cn2', 'shared-disk']
    assert providers['cn1-numa0']['parent'] == CN1
    assert providers['cn2']['usages'] == {'VCPU': 24, 'MEMORY_MB': 6144}
    assert providers['cn2']['inventory']['VCPU']['allocation_ratio'] == 1.0
    assert providers['shared-disk']['aggregates'] == [AGGREGATE]
    assert providers['cn1-pci']['inventory']['CUSTOM_PCI_GPU'] == {
        'total': 4, 'reserved': 0, 'min_unit': 1, 'max_unit': 1,
        'step_size': 1, 'allocation_ratio': 1.0}
    # One consumer of the project "snapshot" holds a provider's usages.
    held = b.get('/allocations/%s' % snapshot.consumer_uuid(CN2),
                 microversion=V).json()
    assert held['project_id'] == 'snapshot'
    assert held['allocations'][CN2]['resources'] == {
        'VCPU': 24, 'MEMORY_MB': 6144}


def test_the_loaded_sharing_provider_serves_its_aggregate(
        placement, placement_b):
    build_cloud(placement.endpoint)
    taken = snapshot.take(cloud.placement_adapter(placement.endpoint))
    b = cloud.placement_adapter(placement_b.endpoint)
    snapshot.load(b, taken)

    found = b.get('/allocation_candidates?resources=DISK_GB:10,VCPU:1',
                  microversion=V).json()
    pairs = [set(ar['allocations']) for ar in found['allocation_requests']]
    assert {NUMA0, SHARED} in pairs
    assert {NUMA1, SHARED} in pairs
    # cn2's 24 VCPU exceed its capacity of 16: it has no room left.
    assert not any(CN2 in pair for pair in pairs)


def test_a_cloud_file_with_a_snapshot_and_host_groups_is_populated(
        placement, placement_b, tmp_path):
    build_cloud(placement.endpoint)
    taken = snapshot.take(cloud.placement_adapter(placement.endpoint))
    taken['host_groups'] = [{'name': 'extra', 'count': 1,
                             'inventory': {'VCPU': 4, 'MEMORY_MB': 4096}}]
    taken['flavors'] = {'tiny': {'vcpus': 1, 'memory_mb': 512}}
    path = tmp_path / 'cloud.yaml'
    path.write_text(yaml.safe_dump(taken))

    loaded = cloud.load_cloud(str(path))
    cloud.populate(placement_b.endpoint, loaded)

    assert sorted(h.name for h in loaded.hosts) == ['cn1', 'cn2',
                                                    'extra-0001']
    used = cloud.usages(placement_b.endpoint)
    assert used['cn2'] == {'VCPU': 24, 'MEMORY_MB': 6144}
    assert used['extra-0001'] == {'VCPU': 0, 'MEMORY_MB': 0}
    assert len(used) == 7


# -- the command --------------------------------------------------------

def _config(tmp_path, placement_lines):
    path = tmp_path / 'scheduler.conf'
    path.write_text('[placement]\n%s\nconnect_retries = 0\n'
                    % '\n'.join(placement_lines))
    return str(path)


def _placement_lines(endpoint, with_token=True):
    overrides = placement_server.placement_conf_overrides(endpoint)
    if not with_token:
        overrides = {'endpoint_override': endpoint}
    return ['%s = %s' % item for item in sorted(overrides.items())]


def snapshot_command(*args):
    """``(exit code, stdout, stderr)`` of ``scheduler-sim snapshot``."""
    # eventlet, imported by a library, warns about itself on stderr.
    done = subprocess.run(
        [sys.executable, '-m', 'scheduler.cmd.sim_snapshot'] + list(args),
        capture_output=True, text=True, timeout=120,
        env=dict(os.environ, PYTHONWARNINGS='ignore'))
    return done.returncode, done.stdout, done.stderr


def test_the_command_writes_yaml_without_endpoint_or_token(
        placement, tmp_path):
    build_cloud(placement.endpoint)
    conf = _config(tmp_path, _placement_lines(placement.endpoint))
    output = str(tmp_path / 'snapshot.yaml')

    code, out, err = snapshot_command('--config-file', conf)
    file_code, file_out, _ = snapshot_command('--config-file', conf,
                                              '--output', output)

    assert (code, file_code, file_out) == (0, 0, '')
    with open(output) as f:
        written = f.read()
    for text in (out, written):
        data = yaml.safe_load(text)
        assert len(data['providers']) == 6
        assert data['flavors'] == {}
        assert text.startswith('# A snapshot of Placement (microversions '
                               'up to 1.')
        assert placement.endpoint not in text
        assert '127.0.0.1' not in text
        assert placement.token not in text
    assert 'Traceback' not in err


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize('with_token,words', [
    (True, 'Placement is unreachable ([Errno 111] Connection refused'),
    (False, 'Placement answered 401 Unauthorized to GET /resource_providers'),
])
def test_the_command_fails_in_one_line(placement, tmp_path, with_token,
                                       words):
    endpoint = (placement.endpoint if not with_token else
                'http://127.0.0.1:%d' % _free_port())
    conf = _config(tmp_path, _placement_lines(endpoint, with_token))
    output = tmp_path / 'snapshot.yaml'

    code, out, err = snapshot_command('--config-file', conf,
                                      '--output', str(output))

    assert code == 1
    assert out == ''
    assert err.startswith('scheduler-sim snapshot: ' + words), err
    assert len(err.splitlines()) == 1, err
    assert not output.exists()


# -- Nova's aggregates and instances -----------------------------------------

NOVA_CELL1 = 'c0ffee00-0000-4000-8000-000000000001'
NOVA_CELL2 = 'c0ffee00-0000-4000-8000-000000000002'
# Never used to connect (cell0, a cell not mapped): never written either.
SECRET = 's3cret-pw'
NOVA_HOSTS = {'cn1': 16384, 'cn2': 16384, 'cn3': 65536, 'cn4': 65536}
NOVA_AGGREGATES = (
    (1, 'rack-a', ['cn1', 'cn2'], {'availability_zone': 'az1'}),
    (2, 'rack-b', ['cn3', 'cn4'], {'availability_zone': 'az2'}),
    (3, 'fast', ['cn1', 'cn3'], {'ssd': 'true'}))
NOVA_INSTANCES = (
    (_uuid('vm-1'), 'cn1', 'p1', 'active', 0),
    (_uuid('vm-2'), 'cn1', 'p2', 'stopped', 0),
    (_uuid('vm-3'), 'cn3', 'p1', 'active', 0),
    (_uuid('vm-gone'), 'cn2', 'p1', 'deleted', 5))


def _nova_db(path, metadata, rows):
    """A sqlite database of Nova's tables, with the columns nova_db reads."""
    import sqlalchemy as sa

    url = 'sqlite:///%s' % path
    engine = sa.create_engine(url)
    metadata.create_all(engine)
    with engine.begin() as conn:
        for table, values in rows:
            conn.execute(table.insert(), values)
    engine.dispose()
    return url


def _nova_cell_rows(t):
    return [
        (t.services, [{'id': n, 'host': host, 'binary': 'nova-compute',
                       'disabled': False, 'forced_down': False,
                       'deleted': 0} for n, host in enumerate(NOVA_HOSTS)]),
        (t.compute_nodes, [{'uuid': _uuid('node-' + host), 'host': host,
                            'hypervisor_hostname': host, 'deleted': 0}
                           for host in NOVA_HOSTS]),
        (t.instances, [{'uuid': vm, 'host': host, 'project_id': project,
                        'vm_state': state, 'deleted': deleted}
                       for vm, host, project, state, deleted in
                       NOVA_INSTANCES])]


def nova_databases(tmp_path, broken_cell=False):
    """Nova's API database and one cell's; the API database's URL."""
    from scheduler.host_facts import nova_tables as t

    cell_url = _nova_db(tmp_path / 'cell1.db', t.CELL, _nova_cell_rows(t))
    cells = [
        {'id': 1, 'uuid': '00000000-0000-0000-0000-000000000000',
         'name': 'cell0', 'disabled': False,
         'database_connection': 'mysql+pymysql://nova:%s@db/cell0' % SECRET},
        {'id': 2, 'uuid': NOVA_CELL1, 'name': 'cell1', 'disabled': False,
         'database_connection': cell_url}]
    if broken_cell:
        cells.append({'id': 3, 'uuid': NOVA_CELL2, 'name': 'cell2',
                      'disabled': False, 'database_connection':
                      'sqlite://nova:%s@/nowhere/cell2.db' % SECRET})
    return _nova_db(tmp_path / 'api.db', t.API, [
        (t.cell_mappings, cells),
        (t.host_mappings, [{'cell_id': 2, 'host': h} for h in NOVA_HOSTS]),
        (t.aggregates, [{'id': n, 'uuid': _uuid('agg-' + name),
                         'name': name} for n, name, _, _ in NOVA_AGGREGATES]),
        (t.aggregate_hosts, [{'aggregate_id': n, 'host': host}
                             for n, _, hosts, _ in NOVA_AGGREGATES
                             for host in hosts]),
        (t.aggregate_metadata, [{'aggregate_id': n, 'key': k, 'value': v}
                                for n, _, _, metadata in NOVA_AGGREGATES
                                for k, v in metadata.items()])])


def build_flat_cloud(endpoint):
    """Placement's providers of the Nova hosts: cn3 and cn4 the largest.

    Each is in the Placement aggregates of its Nova aggregates, as Nova's
    API mirrors them.
    """
    api = cloud.placement_adapter(endpoint)
    for host, memory in NOVA_HOSTS.items():
        _Provider(api, host, _uuid('node-' + host)).put(
            'inventories', inventories={
                'VCPU': _inv(16, allocation_ratio=4.0),
                'MEMORY_MB': _inv(memory), 'DISK_GB': _inv(1000)}).put(
            'aggregates', aggregates=[
                _uuid('agg-' + name) for _, name, hosts, _ in NOVA_AGGREGATES
                if host in hosts])


def _nova_config(tmp_path, endpoint, api_url):
    lines = _placement_lines(endpoint) + [
        '[host_facts_nova_db]', 'api_connection = %s' % api_url,
        'cell_connections = %s:mysql+pymysql://nova:%s@db/other'
        % (NOVA_CELL2.replace('2', '9'), SECRET)]
    return _config(tmp_path, lines)


def test_the_command_writes_nova_aggregates_and_instances(placement,
                                                          tmp_path):
    build_flat_cloud(placement.endpoint)
    api_url = nova_databases(tmp_path)
    conf = _nova_config(tmp_path, placement.endpoint, api_url)

    code, out, err = snapshot_command('--config-file', conf)

    assert code == 0, err
    data = yaml.safe_load(out)
    assert [p['name'] for p in data['providers']] == list(NOVA_HOSTS)
    assert data['aggregates'] == [
        {'name': 'fast', 'uuid': _uuid('agg-fast'), 'hosts': ['cn1', 'cn3'],
         'metadata': {'ssd': 'true'}},
        {'name': 'rack-a', 'uuid': _uuid('agg-rack-a'),
         'hosts': ['cn1', 'cn2'], 'metadata': {'availability_zone': 'az1'}},
        {'name': 'rack-b', 'uuid': _uuid('agg-rack-b'),
         'hosts': ['cn3', 'cn4'], 'metadata': {'availability_zone': 'az2'}}]
    assert data['instances'] == {
        'cn1': [{'uuid': vm, 'project_id': project, 'flavor_id': None,
                 'vm_state': state}
                for vm, project, state in sorted([
                    (_uuid('vm-1'), 'p1', 'active'),
                    (_uuid('vm-2'), 'p2', 'stopped')])],
        'cn3': [{'uuid': _uuid('vm-3'), 'project_id': 'p1',
                 'flavor_id': None, 'vm_state': 'active'}]}
    assert data['flavors'] == {}
    for text in (out, err):
        for secret in (SECRET, 'sqlite:', str(tmp_path), 'mysql',
                       placement.token):
            assert secret not in text
    assert "Nova's host aggregates" in out
    assert 'Traceback' not in err


def test_without_nova_db_the_command_says_what_it_did_not_read(placement,
                                                               tmp_path):
    build_flat_cloud(placement.endpoint)
    conf = _config(tmp_path, _placement_lines(placement.endpoint))

    code, out, err = snapshot_command('--config-file', conf)

    assert code == 0, err
    data = yaml.safe_load(out)
    assert 'aggregates' not in data and 'instances' not in data
    said = [line for line in err.splitlines() if 'were not read' in line]
    assert len(said) == 1, err
    assert 'INFO' in said[0]
    assert ("aggregate metadata, availability zones and instances were "
            "not read: [host_facts_nova_db] api_connection is not set"
            in said[0])


def test_a_nova_cell_that_fails_fails_the_command_without_secrets(
        placement, tmp_path):
    build_flat_cloud(placement.endpoint)
    api_url = nova_databases(tmp_path, broken_cell=True)
    conf = _nova_config(tmp_path, placement.endpoint, api_url)
    output = tmp_path / 'snapshot.yaml'

    code, out, err = snapshot_command('--config-file', conf,
                                      '--output', str(output))

    assert code == 1
    assert not output.exists()
    last = err.splitlines()[-1]
    assert last.startswith("scheduler-sim snapshot: cannot read Nova's "
                           "databases: "), err
    assert 'cell2' in last
    for secret in (SECRET, str(tmp_path)):
        assert secret not in err


SMALL_FLAVOR = {'small': {'vcpus': 1, 'memory_mb': 1024, 'root_gb': 10}}
AZ1_SCENARIO = '''
seed: 5
duration: 4h
sample_every: 1h
streams:
  - name: az1-only
    rate: 6/h
    flavors: small
    count: {1: 2, 2: 1}
    lifetime: forever
    availability_zone: az1
'''


@pytest.fixture
def az_filter_conf():
    from scheduler import conf as scheduler_conf

    conf = scheduler_conf.CONF
    if not conf._args:
        conf([], project='scheduler', default_config_files=[],
             default_config_dirs=[])
    conf.set_override('enabled_filters', [
        'AvailabilityZoneFilter', 'ComputeCapabilitiesFilter'],
        group='filter_scheduler')
    yield conf
    conf.clear_override('enabled_filters', group='filter_scheduler')


def _replay_cloud(conf, cloud_file, scenario_file, workdir):
    """(runner, result, {consumer: host}, {host: instance uuids known})."""
    from scheduler.sim import replay
    from scheduler.sim import run as sim_run
    from scheduler.sim import workload

    sim = sim_run.Simulation(conf, cloud.load_cloud(cloud_file),
                             str(workdir), durable=False)
    sim.start()
    try:
        runner = replay.Replay(sim, workload.load(scenario_file), 'az')
        result = runner.run()
        api = cloud.placement_adapter(sim.placement.endpoint)
        held = {}
        for rp in api.get('/resource_providers').json()[
                'resource_providers']:
            for consumer in api.get('/resource_providers/%s/allocations'
                                    % rp['uuid']).json()['allocations']:
                held[consumer] = rp['name']
        known = {host: set(sim.manager.host_facts.instances_of_host(host))
                 for host in NOVA_HOSTS}
    finally:
        sim.stop()
    return runner, result, held, known


def test_a_replay_of_the_snapshot_keeps_az1_requests_in_az1(
        placement, tmp_path, az_filter_conf):
    build_flat_cloud(placement.endpoint)
    conf = _nova_config(tmp_path, placement.endpoint,
                        nova_databases(tmp_path))
    cloud_file = tmp_path / 'cloud.yaml'
    code, _, err = snapshot_command('--config-file', conf,
                                    '--output', str(cloud_file))
    assert code == 0, err
    data = yaml.safe_load(cloud_file.read_text())
    data['flavors'] = SMALL_FLAVOR
    cloud_file.write_text(yaml.safe_dump(data))
    scenario = tmp_path / 'az1.yaml'
    scenario.write_text(AZ1_SCENARIO)
    workdir = tmp_path / 'sim'
    workdir.mkdir()

    runner, result, held, known = _replay_cloud(
        az_filter_conf, str(cloud_file), str(scenario), workdir)

    placed = {i.uuid: i.host for v in runner.alive.values() for i in v}
    assert len(placed) >= 5
    assert all(r.placed for r in result.requests), [
        r.reason for r in result.refused]
    assert set(placed.values()) <= {'cn1', 'cn2'}
    assert held == placed
    # The instances Nova's databases had were cast as the computes'.
    assert {_uuid('vm-1'), _uuid('vm-2')} <= known['cn1']
    assert _uuid('vm-3') in known['cn3']
    assert _uuid('vm-gone') not in known['cn2']
