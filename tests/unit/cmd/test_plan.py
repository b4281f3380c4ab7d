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

"""scheduler-plan's arguments: flavors, image properties, clear errors."""

import io

import pytest
import sqlalchemy

from scheduler.cmd import plan
from scheduler.cmd import plan_flavors
from scheduler.cmd import plan_request


def test_inline_flavor_gives_amounts_and_extra_specs():
    flavor = plan_request.parse_flavor(
        'vcpus=4,ram=8192,disk=40,ephemeral=5,swap=512,'
        'extra_spec:hw:cpu_policy=dedicated,extra_spec:trait:CUSTOM_X='
        'required')
    assert (flavor.vcpus, flavor.memory_mb, flavor.root_gb,
            flavor.ephemeral_gb, flavor.swap) == (4, 8192, 40, 5, 512)
    assert flavor.extra_specs == {'hw:cpu_policy': 'dedicated',
                                  'trait:CUSTOM_X': 'required'}
    assert plan_request.parse_flavor('vcpus=1, ram=2').name == (
        'vcpus=1, ram=2')
    assert plan_request.parse_flavor('vcpus=1,ram=2,name=m1').name == 'm1'


def test_extra_spec_value_may_hold_commas():
    flavor = plan_request.parse_flavor(
        'vcpus=4,ram=4096,extra_spec:hw:numa_cpus.0=0,1,'
        'extra_spec:hw:numa_cpus.1=2,3')
    assert flavor.extra_specs == {'hw:numa_cpus.0': '0,1',
                                  'hw:numa_cpus.1': '2,3'}
    assert flavor.root_gb == 0


@pytest.mark.parametrize('text, words', [
    ('', '--flavor is empty'),
    ('vcpus=two,ram=1024', "vcpus='two' is not an integer"),
    ('vcpus=0,ram=1024', 'vcpus must be >= 1, not 0'),
    ('vcpus=1,ram=1024,disk=-1', 'disk must be >= 0'),
    ('ram=1024', 'vcpus missing'),
    ('vcpus=1,ram=1024,cpus=2', 'unknown key(s) cpus'),
    ('vcpus=1,ram=1024,vcpus=2', 'vcpus given twice'),
    ('vcpus=1,4096', "'4096' is not KEY=VALUE"),
    ('vcpus=1,ram=1,extra_spec:=x', 'names no extra spec'),
    ('m1.small', 'neither --flavors-file nor'),
])
def test_bad_flavor_is_refused_naming_what_is_wrong(text, words):
    with pytest.raises(plan_request.BadArgument) as e:
        plan_request.find_flavor(text)
    assert words in str(e.value)


def test_flavor_name_is_looked_up_in_the_flavors_file(tmp_path):
    path = tmp_path / 'flavors.yaml'
    path.write_text('m1.small: vcpus=1,ram=2048,disk=20\n'
                    'pinned: {vcpus: 2, ram: 1024, extra_specs: '
                    '{"hw:cpu_policy": dedicated}}\n')
    small = plan_request.find_flavor('m1.small', str(path))
    assert (small.name, small.vcpus, small.memory_mb) == ('m1.small', 1,
                                                          2048)
    pinned = plan_request.find_flavor('pinned', str(path))
    assert pinned.extra_specs == {'hw:cpu_policy': 'dedicated'}
    with pytest.raises(plan_request.BadArgument) as e:
        plan_request.find_flavor('m1.huge', str(path))
    assert 'm1.huge is not in' in str(e.value)


def test_image_props_are_key_value_with_integers_read():
    assert plan_request.parse_image_props(
        ['hw_architecture=x86_64', 'hw_numa_nodes=2']) == {
            'hw_architecture': 'x86_64', 'hw_numa_nodes': 2}


@pytest.mark.parametrize('items, words', [
    (['hw_architecture'], 'is not KEY=VALUE'),
    (['=x86_64'], 'is not KEY=VALUE'),
    (['a=1', 'a=2'], '--image-prop a given twice'),
])
def test_bad_image_prop_is_refused(items, words):
    with pytest.raises(plan_request.BadArgument) as e:
        plan_request.parse_image_props(items)
    assert words in str(e.value)


def test_the_spec_carries_zone_count_and_image():
    spec = plan_request.build_spec(
        plan_request.parse_flavor('vcpus=1,ram=512'), {'a': 'b'}, 'az1', 3,
        'p1')
    assert (spec.availability_zone, spec.num_instances, spec.project_id,
            spec.image.properties) == ('az1', 3, 'p1', {'a': 'b'})
    assert spec.instance_uuid is None


def test_printed_plan_names_hosts_alternates_and_fates():
    out = io.StringIO()
    code = plan.print_plan({
        'instances': [[{'host': 'c1', 'node': 'c1'},
                       {'host': 'c2', 'node': 'n2'}]],
        'refused': None,
        'explanation': [['filter: instance 1 of request', ['c1: passed']]],
    }, 1, 'flavor f', out)
    assert code == plan.PLACED
    assert out.getvalue().splitlines() == [
        '1 instance(s) of flavor f would go to (nothing claimed):',
        '  instance 1: c1; alternates: c2 (node n2)',
        'filter: instance 1 of request',
        '  c1: passed']


def test_printed_refusal_exits_one_with_the_detail():
    out = io.StringIO()
    code = plan.print_plan({'instances': [], 'explanation': [], 'refused': {
        'reason': 'Placement has no candidate',
        'detail': 'Placement has no candidate; query q -> 0; relaxed r -> '
                  '1 (3 hosts; largest free 8)'}},
        1, 'flavor f', out)
    assert code == plan.REFUSED
    assert out.getvalue().splitlines() == [
        'No valid host for 1 instance(s) of flavor f: Placement has no '
        'candidate', 'Detail:', '  query q -> 0',
        '  relaxed r -> 1 (3 hosts; largest free 8)']


def _numa(text, **image_props):
    flavor = plan_request.parse_flavor(text)
    return plan_request.build_spec(flavor, image_props).numa_topology


def test_plain_flavor_has_no_guest_numa_topology():
    assert _numa('vcpus=4,ram=4096') is None


def test_numa_nodes_split_cpus_and_memory_evenly_and_pin_dedicated():
    topology = _numa('vcpus=4,ram=4096,extra_spec:hw:numa_nodes=2,'
                     'extra_spec:hw:cpu_policy=dedicated,'
                     'extra_spec:hw:mem_page_size=2MB')
    assert [(sorted(c.pcpuset), sorted(c.cpuset), c.memory, c.pagesize)
            for c in topology.cells] == [([0, 1], [], 2048, 2048),
                                         ([2, 3], [], 2048, 2048)]


def test_dedicated_policy_alone_is_one_pinned_cell_as_nova_makes_it():
    [cell] = _numa('vcpus=2,ram=1024', hw_cpu_policy='dedicated').cells
    assert (sorted(cell.pcpuset), cell.memory, cell.cpu_policy) == (
        [0, 1], 1024, 'dedicated')


def test_explicit_numa_cells_are_read():
    topology = _numa('vcpus=3,ram=3072,extra_spec:hw:numa_nodes=2,'
                     'extra_spec:hw:numa_cpus.0=0,extra_spec:hw:numa_mem.0='
                     '1024,extra_spec:hw:numa_cpus.1=1-2,'
                     'extra_spec:hw:numa_mem.1=2048')
    assert [(sorted(c.cpuset), c.memory) for c in topology.cells] == [
        ([0], 1024), ([1, 2], 2048)]


@pytest.mark.parametrize('extra, words', [
    ('extra_spec:hw:numa_nodes=2', 'do not split evenly'),
    ('extra_spec:hw:numa_nodes=x', 'not a positive integer'),
    ('extra_spec:hw:mem_page_size=huge', 'hw:mem_page_size=huge'),
    ('extra_spec:hw:cpu_policy=mixed', 'mixed is not derived'),
])
def test_numa_extra_specs_that_give_no_topology_are_refused(extra, words):
    with pytest.raises(plan_request.BadArgument) as e:
        _numa('vcpus=3,ram=3072,' + extra)
    assert words in str(e.value)


@pytest.fixture
def nova_api_db(tmp_path):
    """A sqlite API database with Nova's flavor tables (the columns read)."""
    url = 'sqlite:///%s' % (tmp_path / 'nova_api.db')
    engine = sqlalchemy.create_engine(url)
    plan_flavors._API.create_all(engine)
    with engine.begin() as conn:
        conn.execute(plan_flavors.flavors.insert(), [
            dict(id=1, name='m1.small', flavorid='2', vcpus=1,
                 memory_mb=2048, root_gb=20, ephemeral_gb=0, swap=0),
            dict(id=2, name='pinned', flavorid='p1', vcpus=2,
                 memory_mb=1024, root_gb=10, ephemeral_gb=0, swap=0)])
        conn.execute(plan_flavors.flavor_extra_specs.insert(), [
            dict(flavor_id=2, key='hw:cpu_policy', value='dedicated')])
    engine.dispose()
    return url


def test_flavor_name_or_id_is_read_from_nova_s_api_database(nova_api_db):
    small = plan_request.find_flavor('m1.small', None, nova_api_db)
    assert (small.vcpus, small.memory_mb, small.root_gb) == (1, 2048, 20)
    pinned = plan_request.find_flavor('p1', None, nova_api_db)
    assert (pinned.name, pinned.extra_specs) == (
        'pinned', {'hw:cpu_policy': 'dedicated'})
    with pytest.raises(plan_request.BadArgument) as e:
        plan_request.find_flavor('m1.huge', None, nova_api_db)
    assert "m1.huge is no flavor name or id of Nova's API database" in str(
        e.value)


def test_an_unreadable_api_database_is_named_without_its_url(tmp_path):
    url = 'sqlite:///%s' % (tmp_path / 'missing' / 'nova_api.db')
    with pytest.raises(plan_request.BadArgument) as e:
        plan_request.find_flavor('m1.small', None, url)
    assert "Nova API database" in str(e.value)
    assert 'missing' not in str(e.value)
