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
