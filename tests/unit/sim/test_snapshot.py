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

import copy
import uuid

from keystoneauth1 import exceptions as ks_exc
import pytest
import yaml

from scheduler.cmd import sim_snapshot
from scheduler.sim import cloud
from scheduler.sim import snapshot


def _uuid(name):
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, name))


ROOT, NUMA0, NUMA1, SHARED = (_uuid(n) for n in
                              ('cn1', 'numa0', 'numa1', 'shared'))


def _provider(name, parent=None, **fields):
    return dict({'name': name, 'uuid': _uuid(name), 'parent': parent,
                 'inventory': {}, 'traits': [], 'aggregates': [],
                 'usages': {}}, **fields)


def _tree():
    """A compute root with two NUMA children, and a sharing provider."""
    vcpu = {'total': 8, 'reserved': 0, 'min_unit': 1, 'max_unit': 4,
            'step_size': 1, 'allocation_ratio': 4.0}
    return [
        _provider('shared', inventory={'DISK_GB': {'total': 100}},
                  traits=['MISC_SHARES_VIA_AGGREGATE'],
                  aggregates=[_uuid('agg')], usages={'DISK_GB': 10}),
        _provider('numa1', ROOT, inventory={'VCPU': dict(vcpu)},
                  usages={'VCPU': 40}),
        _provider('numa0', ROOT, inventory={
            'VCPU': dict(vcpu), 'MEMORY_MB': {'total': 1024}}),
        _provider('cn1', traits=['COMPUTE_NODE', 'CUSTOM_GOLD'],
                  inventory={'CUSTOM_PCI_X': {'total': 2}},
                  aggregates=[_uuid('agg')]),
    ]


def _malformed(change):
    providers = _tree()
    change(providers)
    return {'providers': providers}


@pytest.mark.parametrize('change,words', [
    (lambda ps: ps[0].pop('uuid'), 'provider #0 (shared): uuid is missing'),
    (lambda ps: ps[1].pop('name'), 'provider #1 (%s): name is missing'
     % NUMA1),
    (lambda ps: ps[0].update(uuid='not-a-uuid'),
     'provider shared (not-a-uuid): uuid is not a UUID'),
    (lambda ps: ps.pop(3), 'provider numa1 (%s): its parent %s is not in '
     'the snapshot' % (NUMA1, ROOT)),
    (lambda ps: ps[3].update(parent=NUMA0), 'provider cn1 (%s): its '
     'parents form a cycle' % ROOT),
    (lambda ps: ps[3].update(parent=['x']), 'parent must be a uuid'),
    (lambda ps: ps[0].update(colour='red'),
     'provider shared (%s): unknown field(s) colour' % SHARED),
    (lambda ps: ps[0].update(inventory={'DISK_GB': 100}),
     'inventory of DISK_GB must be a mapping with a total'),
    (lambda ps: ps[0].update(inventory=['DISK_GB']),
     'inventory must be a mapping'),
    (lambda ps: ps[1]['inventory']['VCPU'].update(total='8'),
     'provider numa1 (%s): inventory of VCPU: total must be a '
     "non-negative number, not '8'" % NUMA1),
    (lambda ps: ps[1]['inventory']['VCPU'].update(used=3),
     'inventory of VCPU: unknown field(s) used'),
    (lambda ps: ps[3].update(traits='COMPUTE_NODE'),
     'provider cn1 (%s): traits must be a list of strings' % ROOT),
    (lambda ps: ps[3].update(aggregates=[None]),
     'aggregates must be a list of strings'),
    (lambda ps: ps[0].update(usages={'VCPU': 1}),
     'provider shared (%s): usage of VCPU but no inventory of it'
     % SHARED),
    (lambda ps: ps[0].update(usages={'DISK_GB': -1}),
     'usage of DISK_GB must be a non-negative integer'),
    (lambda ps: ps[2].update(uuid=NUMA1), 'another provider has this uuid'),
    (lambda ps: ps[2].update(name='numa1'), 'another provider has this name'),
    (lambda ps: ps.append('cn2'), 'provider #4 is not a mapping'),
])
def test_malformed_snapshot_is_refused_naming_the_provider(change, words):
    with pytest.raises(snapshot.SnapshotError) as err:
        snapshot.validate(_malformed(change))
    assert words in str(err.value)


@pytest.mark.parametrize('data', [None, [], {'providers': {}}, {}])
def test_a_snapshot_needs_a_providers_list(data):
    with pytest.raises(snapshot.SnapshotError, match='providers list'):
        snapshot.validate(data)


def test_parents_come_before_children_roots_by_name():
    ordered = snapshot.validate({'providers': _tree()})
    assert [p['name'] for p in ordered] == ['cn1', 'numa0', 'numa1',
                                            'shared']
    assert snapshot.validate({'providers': list(reversed(_tree()))}) == \
        ordered


# What Placement answers for the fields an inventory was written without.
DEFAULTS = {'reserved': 0, 'min_unit': 1, 'max_unit': 2147483647,
            'step_size': 1, 'allocation_ratio': 1.0}


class FakeResponse(object):
    def __init__(self, body):
        self.body = body

    def json(self):
        return self.body


class FakePlacement(object):
    """Answers GETs from ``providers`` (snapshot format); records writes."""

    def __init__(self, providers=()):
        self.providers = {p['uuid']: p for p in providers}
        self.writes = []
        self.generation = 0

    def get(self, url, microversion=None):
        parts = url.strip('/').split('/')
        if parts == ['']:
            return FakeResponse({'versions': [{'max_version': '1.39'}]})
        if parts == ['resource_providers']:
            return FakeResponse({'resource_providers': [
                {'uuid': p['uuid'], 'name': p['name'],
                 'parent_provider_uuid': p['parent'],
                 'root_provider_uuid': 'ignored', 'generation': 1}
                for p in self.providers.values()]})
        provider = self.providers.get(parts[1])
        if len(parts) == 2:
            return FakeResponse({'generation': self.generation})
        what = parts[2]
        key = {'inventories': 'inventory'}.get(what, what)
        value = provider[key]
        if what == 'inventories':
            value = {rc: dict(DEFAULTS, **record)
                     for rc, record in value.items()}
        if what == 'usages':
            value = dict({rc: 0 for rc in provider['inventory']}, **value)
        return FakeResponse({what: value})

    def _write(self, method, url, json=None, microversion=None):
        self.writes.append((method, url, copy.deepcopy(json)))
        self.generation += 1
        return FakeResponse({'generation': self.generation,
                             'resource_provider_generation':
                                 self.generation})

    def put(self, url, json=None, microversion=None):
        return self._write('PUT', url, json, microversion)

    def post(self, url, json=None, microversion=None):
        return self._write('POST', url, json, microversion)


def test_take_reads_providers_parents_first_without_zero_usages():
    taken = snapshot.take(FakePlacement(_tree()))

    assert [p['name'] for p in taken['providers']] == [
        'cn1', 'numa0', 'numa1', 'shared']
    assert taken['flavors'] == {}
    numa1 = taken['providers'][2]
    assert list(numa1) == list(snapshot.PROVIDER_FIELDS)
    assert numa1['parent'] == ROOT
    assert numa1['usages'] == {'VCPU': 40}
    assert taken['providers'][1]['usages'] == {}
    assert yaml.safe_load(yaml.safe_dump(taken)) == taken


def test_take_leaves_out_a_provider_deleted_while_read():
    class Deleting(FakePlacement):
        def get(self, url, microversion=None):
            if url.startswith('/resource_providers/%s/' % SHARED):
                raise ks_exc.NotFound()
            return super().get(url, microversion)

    taken = snapshot.take(Deleting(_tree()))
    assert [p['name'] for p in taken['providers']] == [
        'cn1', 'numa0', 'numa1']


def test_placement_version_is_the_max_microversion():
    assert snapshot.placement_version(FakePlacement()) == '1.39'


def test_load_writes_names_then_providers_then_usages():
    api = FakePlacement()
    snapshot.load(api, {'providers': _tree()})
    calls = [(m, u) for m, u, _ in api.writes]

    assert calls[:2] == [('PUT', '/traits/CUSTOM_GOLD'),
                         ('PUT', '/resource_classes/CUSTOM_PCI_X')]
    posted = [body['name'] for m, u, body in api.writes if m == 'POST']
    assert posted == ['cn1', 'numa0', 'numa1', 'shared']
    assert api.writes[2][2] == {'name': 'cn1', 'uuid': ROOT}
    allocations = [(u, b) for m, u, b in api.writes
                   if u.startswith('/allocations/')]
    assert allocations[0] == (
        '/allocations/%s' % snapshot.consumer_uuid(NUMA1),
        {'allocations': {NUMA1: {'resources': {'VCPU': 40}}},
         'project_id': 'snapshot', 'user_id': 'snapshot',
         'consumer_generation': None})
    assert len(allocations) == 2


def test_load_relaxes_an_inventory_for_its_usages_then_restores_it():
    api = FakePlacement()
    snapshot.load(api, {'providers': _tree()})
    numa1 = '/resource_providers/%s/inventories' % NUMA1
    written = [b['inventories']['VCPU'] for m, u, b in api.writes
               if u == numa1]

    # 40 VCPU: over max_unit 4 and over the capacity of 8 * 4.0.
    assert written[0] == {'total': 8, 'reserved': 0, 'min_unit': 1,
                          'max_unit': 40, 'step_size': 1,
                          'allocation_ratio': 5.0}
    assert written[-1] == _tree()[1]['inventory']['VCPU']
    assert [u for m, u, b in api.writes].index(numa1) < [
        u for m, u, b in api.writes].index(
            '/allocations/%s' % snapshot.consumer_uuid(NUMA1))


def test_load_names_the_provider_placement_refused():
    class Refusing(FakePlacement):
        def post(self, url, json=None, microversion=None):
            raise ks_exc.Conflict('a provider with that name exists')

    with pytest.raises(snapshot.SnapshotError,
                       match='provider cn1 .* Placement refused it'):
        snapshot.load(Refusing(), {'providers': _tree()})


def test_consumer_uuid_is_stable_and_per_provider():
    assert snapshot.consumer_uuid(ROOT) == snapshot.consumer_uuid(ROOT)
    assert snapshot.consumer_uuid(ROOT) != snapshot.consumer_uuid(NUMA0)


def _cloud_file(tmp_path, data):
    path = tmp_path / 'cloud.yaml'
    path.write_text(yaml.safe_dump(data))
    return str(path)


def test_a_cloud_file_may_hold_a_snapshot(tmp_path):
    result = cloud.load_cloud(_cloud_file(tmp_path, {
        'providers': _tree(),
        'host_groups': [{'name': 'cn', 'inventory': {'VCPU': 2}}],
        'flavors': {'tiny': {'vcpus': 1, 'memory_mb': 512}}}))

    assert [(h.name, h.from_snapshot) for h in result.hosts] == [
        ('cn-0001', False), ('cn1', True)]
    host = result.hosts[1]
    assert host.uuid == ROOT
    assert host.traits == ['COMPUTE_NODE', 'CUSTOM_GOLD']
    assert host.inventory['VCPU']['total'] == 16
    assert host.inventory['VCPU']['max_unit'] == 4
    assert host.inventory['MEMORY_MB'] == {'total': 1024}
    assert [p['name'] for p in result.snapshot['providers']] == [
        'cn1', 'numa0', 'numa1', 'shared']
    assert result.flavors['tiny'].vcpus == 1


@pytest.mark.parametrize('data,words', [
    ({'providers': [{'name': 'x'}]}, 'provider #0 (x): uuid is missing'),
    ({'providers': [_provider('cn-0001')], 'host_groups': [
        {'name': 'cn', 'inventory': {'VCPU': 1}}]},
     'provider name(s) used twice: cn-0001'),
])
def test_a_malformed_snapshot_in_a_cloud_file_is_refused(tmp_path, data,
                                                         words):
    with pytest.raises(cloud.CloudError) as err:
        cloud.load_cloud(_cloud_file(tmp_path, data))
    assert words in str(err.value)


@pytest.mark.parametrize('error,line', [
    (ks_exc.ConnectFailure('Unable to establish connection to '
                           'http://p:8778/: [Errno 111] Connection refused'),
     'Placement is unreachable ([Errno 111] Connection refused)'),
    (ks_exc.EndpointNotFound('Could not find the placement endpoint'),
     'cannot reach Placement with the [placement] options: Could not '
     'find the placement endpoint'),
])
def test_a_failure_is_one_line_without_the_endpoint(error, line):
    assert sim_snapshot.describe_failure(error) == line
