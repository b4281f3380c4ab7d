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


from scheduler.host_facts import rpc
from scheduler.host_state import facts
from tests.fixtures import records
from tests.unit.host_facts import fakes


def _source():
    told = []
    source = rpc.RPCSource(fakes.make_conf(), clock=fakes.Clock())
    source.on_out_of_date = told.append
    return source, told


def _instances(*uuids, **fields):
    return records.instances(*uuids, project_id='p', vm_state='active',
                             **fields)


def test_aggregate_update_replaces_by_id_and_delete_forgets():
    source, _ = _source()
    source.update_aggregates([records.aggregate(
        1, ['h1'], {'availability_zone': 'az1'}, uuid='a1')])
    source.update_aggregates([records.aggregate(1, ['h2'], uuid='a1')])
    assert source.aggregates()[1].hosts == frozenset(['h2'])
    source.delete_aggregate(records.aggregate(id=1, uuid='a1'))
    assert source.aggregates() == {}


def test_earlier_aggregate_snapshot_is_not_changed_by_a_later_cast():
    source, _ = _source()
    source.update_aggregates([records.aggregate(1, ['h1'])])
    before = source.aggregates()
    source.update_aggregates([records.aggregate(2, ['h1'])])
    assert list(before) == [1]


def test_full_list_from_unknown_host_is_up_to_date():
    source, told = _source()
    source.update_instances('h1', _instances('a', 'b'))
    assert sorted(source.host('h1').instances) == ['a', 'b']
    assert source.host('h1').instances_complete
    assert not source.out_of_date('h1')
    assert told == []


def test_single_instance_from_unknown_host_leaves_it_out_of_date():
    source, told = _source()
    source.update_instances('h1', _instances('a'))
    assert source.out_of_date('h1')
    assert list(source.host('h1').instances) == ['a']
    # What was heard, not the host's list: filters reading it refuse h1.
    assert not source.host('h1').instances_complete
    assert told == ['h1']


def test_later_casts_keep_an_incomplete_list_incomplete_until_a_sync():
    source, _ = _source()
    source.update_instances('h1', _instances('a'))
    source.update_instances('h1', _instances('b', 'c'))
    source.delete_instance('h1', 'a')
    assert not source.host('h1').instances_complete
    assert source.sync_instances('h1', ['b', 'c', 'd']) is False
    assert source.host('h1').instances_complete


def test_matching_sync_completes_an_incomplete_list():
    source, _ = _source()
    source.update_instances('h1', _instances('a'))
    assert source.sync_instances('h1', ['a']) is True
    assert source.host('h1').instances_complete


def test_matching_sync_marks_the_host_up_to_date():
    source, told = _source()
    source.update_instances('h1', _instances('a'))
    source.update_instances('h1', _instances('b'))
    del told[:]
    assert source.sync_instances('h1', ['b', 'a']) is True
    assert not source.out_of_date('h1')
    assert source.sync_mismatches == 0
    assert told == []


def test_mismatching_sync_adopts_the_computes_list_and_tells():
    source, told = _source()
    source.update_instances('h1', _instances('a', 'b'))
    assert source.sync_instances('h1', ['b', 'c']) is False
    instances = source.host('h1').instances
    assert sorted(instances) == ['b', 'c']
    assert instances['b'].project_id == 'p'
    assert instances['c'] == facts.InstanceFacts(uuid='c')
    assert source.sync_mismatches == 1
    assert told == ['h1']


def test_sync_from_unknown_host_counts_as_a_mismatch():
    source, told = _source()
    assert source.sync_instances('h9', []) is False
    assert source.host('h9').instances == {}
    assert told == ['h9']


def test_delete_of_an_instance_leaves_the_rest():
    source, _ = _source()
    source.update_instances('h1', _instances('a', 'b'))
    before = source.host('h1').instances
    source.delete_instance('h1', 'a')
    assert list(source.host('h1').instances) == ['b']
    assert sorted(before) == ['a', 'b']


def test_age_is_the_time_since_the_last_cast():
    clock = fakes.Clock()
    source = rpc.RPCSource(fakes.make_conf(), clock=clock)
    clock.advance(30)
    assert source.age() == 30
    source.update_aggregates([records.aggregate(id=1)])
    clock.advance(5)
    assert source.age() == 5
    assert source.health().state == 'ok'


def test_casts_name_their_hosts_once_in_take_changed():
    source, _ = _source()
    records = source.records()
    source.update_instances('h1', _instances('a', 'b'))
    source.sync_instances('h2', ['c'])
    source.delete_instance('h1', 'a')
    assert source.take_changed() == {'h1', 'h2'}
    assert source.take_changed() == set()
    assert source.records() is records
    assert sorted(records) == ['h1', 'h2']


def test_a_matching_sync_changes_no_record():
    source, _ = _source()
    source.update_instances('h1', _instances('a', 'b'))
    source.take_changed()
    before = source.host('h1')
    assert source.sync_instances('h1', ['a', 'b'])
    assert source.take_changed() == set()
    assert source.host('h1') is before


def test_image_properties_of_a_cast_survive_a_list_without_them():
    source, _ = _source()
    first = _instances('a', image_properties=frozenset([
        ('hw_disk_bus', 'scsi')]))
    source.update_instances('h1', first + _instances('b'))
    assert source.host('h1').instances['a'].image_properties == {
        ('hw_disk_bus', 'scsi')}
    # A compute's start-up list has no system metadata.
    source.update_instances('h1', _instances('a', 'b'))
    assert source.host('h1').instances['a'].image_properties == {
        ('hw_disk_bus', 'scsi')}
    assert source.host('h1').instances['b'].image_properties == set()
