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

import logging
import threading

import pytest

from scheduler.drivers import filter_scheduler
from scheduler import exception
from scheduler.host_state import facts
from scheduler import manager
from tests.fixtures import records
from tests.unit.host_state import fakes


def _aggregate(id, hosts, metadata=None):
    return records.aggregate(id, hosts, metadata, uuid='agg-%d' % id,
                             name='agg%d' % id)


def _instances(*uuids):
    return records.instances(*uuids, project_id='p', vm_state='active')


class RecordingDriver:
    def __init__(self):
        self.calls = []

    def select_destinations(self, context, spec, instance_uuids,
                            return_alternates, on_candidates=None):
        self.calls.append((context, spec, instance_uuids,
                           return_alternates))
        return [['selection']]


def _manager():
    return manager.SchedulerManager(conf=fakes.make_conf(),
                                    driver=RecordingDriver())


def test_default_driver_is_the_filter_scheduler_with_its_plugins():
    conf = fakes.make_conf()
    # The tests' conf leaves ComputeFilter out; the default is Nova's.
    conf.clear_override('enabled_filters', group='filter_scheduler')
    mgr = manager.SchedulerManager(conf=conf)
    assert isinstance(mgr.driver, filter_scheduler.FilterScheduler)
    assert mgr.driver.conf is conf
    assert [n for n, _ in mgr.driver.filters.filters] == [
        'ComputeFilter', 'ComputeCapabilitiesFilter', 'ImagePropertiesFilter',
        'ServerGroupAntiAffinityFilter', 'ServerGroupAffinityFilter']


def test_driver_that_does_not_load_stops_the_manager_naming_it():
    conf = fakes.make_conf(scheduler={'driver': 'caching_scheduler'})
    with pytest.raises(exception.PluginLoadError) as e:
        manager.SchedulerManager(conf=conf)
    assert 'caching_scheduler' in str(e.value)
    assert 'scheduler.driver' in str(e.value)


def test_filter_that_does_not_load_stops_the_manager_naming_it():
    conf = fakes.make_conf(filter_scheduler={
        'enabled_filters': ['ComputeFilter', 'RetryFilter']})
    with pytest.raises(exception.PluginLoadError) as e:
        manager.SchedulerManager(conf=conf)
    assert 'RetryFilter' in str(e.value)


def test_select_destinations_is_the_drivers_answer():
    mgr = _manager()
    spec = fakes.make_spec()
    assert mgr.select_destinations('ctx', spec, ['i-1'], True) == [
        ['selection']]
    assert mgr.driver.calls == [('ctx', spec, ['i-1'], True)]


def test_update_aggregates_records_the_aggregates():
    mgr = _manager()
    mgr.update_aggregates(None, [
        _aggregate(1, ['cn1', 'cn2'], {'availability_zone': 'az1'}),
        _aggregate(2, ['cn2'])])
    aggregates = mgr.host_facts.aggregates()
    assert sorted(aggregates) == [1, 2]
    assert aggregates[1].hosts == frozenset(['cn1', 'cn2'])
    assert aggregates[1].metadata == {'availability_zone': 'az1'}
    assert aggregates[1].uuid == 'agg-1'
    assert [a.id for a in mgr.host_facts.aggregates_of_host('cn2')] == [
        1, 2]


def test_update_aggregates_replaces_by_id():
    mgr = _manager()
    mgr.update_aggregates(None, [records.aggregate(1, ['cn1'])])
    mgr.update_aggregates(None, [records.aggregate(1, ['cn3'],
                                                   {'k': 'v'})])
    (aggregate,) = mgr.host_facts.aggregates().values()
    assert aggregate.hosts == frozenset(['cn3'])
    assert aggregate.metadata == {'k': 'v'}


def test_delete_aggregate_forgets_it():
    mgr = _manager()
    mgr.update_aggregates(None, [_aggregate(1, ['cn1']),
                                 _aggregate(2, ['cn1'])])
    mgr.delete_aggregate(None, _aggregate(1, []))
    assert sorted(mgr.host_facts.aggregates()) == [2]
    assert [a.id for a in mgr.host_facts.aggregates_of_host('cn1')] == [2]


def test_update_instance_info_records_the_instances():
    mgr = _manager()
    mgr.update_instance_info(None, 'cn1', _instances('a', 'b'))
    mgr.update_instance_info(None, 'cn1', _instances('c'))
    instances = mgr.host_facts.instances_of_host('cn1')
    assert sorted(instances) == ['a', 'b', 'c']
    assert instances['a'] == facts.InstanceFacts(uuid='a', project_id='p',
                                                 vm_state='active')
    assert mgr.host_facts.instances_of_host('cn2') == {}


def test_delete_instance_info_forgets_the_instance():
    mgr = _manager()
    mgr.update_instance_info(None, 'cn1', _instances('a', 'b'))
    mgr.delete_instance_info(None, 'cn1', 'a')
    mgr.delete_instance_info(None, 'cn9', 'x')
    assert sorted(mgr.host_facts.instances_of_host('cn1')) == ['b']


def test_sync_instance_info_makes_the_hosts_record_exact():
    mgr = _manager()
    mgr.update_instance_info(None, 'cn1', _instances('a', 'b'))
    mgr.sync_instance_info(None, 'cn1', ['b', 'c'])
    instances = mgr.host_facts.instances_of_host('cn1')
    assert sorted(instances) == ['b', 'c']
    assert instances['b'].project_id == 'p'
    assert instances['c'] == facts.InstanceFacts(uuid='c')


def test_concurrent_casts_lose_no_update():
    mgr = _manager()
    barrier = threading.Barrier(8)

    def cast(n):
        barrier.wait()
        for i in range(200):
            mgr.update_instance_info(None, 'cn1',
                                     _instances('i-%d-%d' % (n, i)))
            mgr.update_aggregates(None, [_aggregate(n * 1000 + i, ['cn1'])])

    threads = [threading.Thread(target=cast, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(mgr.host_facts.instances_of_host('cn1')) == 1600
    assert len(mgr.host_facts.aggregates()) == 1600


def test_no_valid_host_is_logged_once_with_its_reason(caplog):
    class Refusing:
        def select_destinations(self, *args, **kwargs):
            raise exception.NoValidHost('0 of 3 hosts passed: X 3->0')

    mgr = manager.SchedulerManager(conf=fakes.make_conf(), driver=Refusing())
    with caplog.at_level(logging.INFO, logger='scheduler.manager'):
        with pytest.raises(exception.NoValidHost):
            mgr.select_destinations(None, fakes.make_spec(), ['i-1'])
    lines = [r.getMessage() for r in caplog.records
             if r.name == 'scheduler.manager']
    assert len(lines) == 1
    assert '0 of 3 hosts passed: X 3->0' in lines[0]
