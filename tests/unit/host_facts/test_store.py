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

from scheduler.host_facts import base
from scheduler.host_facts import rpc
from scheduler.host_facts import store
from scheduler.host_state import facts
from tests.fixtures import records
from tests.unit.host_facts import fakes


class StaticSource(base.HostFactsSource):
    name = 'static'

    def __init__(self, conf, aggregates=None, hosts=None, clock=None):
        super().__init__(conf, clock=clock or fakes.Clock())
        self._publish(aggregates or {}, hosts or {})
        self.told = []

    def host_out_of_date(self, host_name):
        self.told.append(host_name)


def _store(*extra):
    conf = fakes.make_conf()
    rpc_source = rpc.RPCSource(conf, clock=fakes.Clock())
    return store.HostFactsStore(conf, sources=[rpc_source] + list(extra))


def test_rpc_is_always_loaded_first_by_entry_point():
    conf = fakes.make_conf()
    names = [name for name, _ in store.load_sources(conf)]
    assert names == ['rpc']


def test_zone_is_the_sorted_joined_zones_of_the_hosts_aggregates():
    facts_store = _store()
    facts_store.update_aggregates([
        records.aggregate(1, ['h1'], {'availability_zone': 'b'}),
        records.aggregate(2, ['h1', 'h2'], {'availability_zone': 'a'}),
        records.aggregate(3, ['h3'], {'other': 'x'})])
    assert facts_store.availability_zones() == {'h1': 'a,b', 'h2': 'a'}


def test_facts_merge_sources_earlier_first_but_aggregates_read_win():
    compute = facts.ComputeFacts(hypervisor_type='QEMU')
    db = StaticSource(fakes.make_conf(),
                      aggregates={1: facts.AggregateFacts(
                          id=1, hosts=frozenset(['h1']), name='db')},
                      hosts={'h1': base.SourceHost(
                          instances={'x': facts.InstanceFacts('x')},
                          compute=compute, cell_uuid='cell-1')})
    facts_store = _store(db)
    facts_store.update_aggregates([records.aggregate(1, ['h1'], name='rpc')])
    facts_store.update_instances('h1', records.instances('a', 'b'))
    known = facts_store.known_facts()
    assert known.get('h2') is None
    h1 = known['h1']
    # The database's aggregates are the truth the casts echo.
    assert [a.name for a in h1.aggregates] == ['db']
    assert sorted(h1.instances) == ['a', 'b']
    assert h1.compute is compute
    assert h1.cell_uuid == 'cell-1'


def test_aggregates_of_every_source_are_readable_by_id():
    db = StaticSource(fakes.make_conf(), aggregates={
        5: facts.AggregateFacts(id=5, uuid='u5', name='db',
                                hosts=frozenset(['h1']),
                                metadata={'k': 'v'})})
    facts_store = _store(db)
    (aggregate,) = facts_store.aggregates().values()
    assert (aggregate.id, aggregate.uuid, aggregate.name) == (5, 'u5', 'db')
    assert aggregate.hosts == frozenset(['h1'])
    assert aggregate.metadata == {'k': 'v'}


def test_a_mismatched_sync_is_told_to_the_other_sources():
    db = StaticSource(fakes.make_conf())
    facts_store = _store(db)
    facts_store.update_instances('h1', records.instances('a', 'b'))
    facts_store.sync_instances('h1', ['a'])
    assert db.told == ['h1']


def test_a_failed_source_refuses_every_host_with_its_reason():
    clock = fakes.Clock()
    db = StaticSource(fakes.make_conf(host_facts={'max_stale_seconds': 10}),
                      clock=clock)
    facts_store = _store(db)
    db._failed('connection refused')
    assert facts_store.refused(['h1']) == {}
    assert facts_store.worst_state() == base.STALE
    clock.advance(11)
    refused = facts_store.refused(['h1', 'h2'])
    assert sorted(refused) == ['h1', 'h2']
    assert 'connection refused' in refused['h1']
    assert 'max_stale_seconds = 10' in refused['h1']
    assert facts_store.worst_state() == base.FAILED


def test_health_names_each_source():
    facts_store = _store(StaticSource(fakes.make_conf()))
    assert [h.name for h in facts_store.health()] == ['rpc', 'static']
    assert 'rpc: ok' in facts_store.health()[0].describe()


def test_aggregates_are_unknown_until_a_source_reports_them():
    facts_store = store.HostFactsStore(fakes.make_conf())
    reason = facts_store.aggregates_unknown()
    assert 'no aggregate facts since start' in reason
    assert 'update_aggregates' in reason and 'nova_db' in reason
    assert 'no aggregate cast since start' in facts_store.rpc.health_detail()
    # An empty cast is news: the aggregates Nova has are known now.
    facts_store.update_aggregates([])
    assert facts_store.aggregates_unknown() is None
    assert '0 aggregate(s)' in facts_store.rpc.health_detail()


def test_a_deleted_aggregate_is_news_too():
    facts_store = store.HostFactsStore(fakes.make_conf())
    facts_store.delete_aggregate(records.aggregate(1))
    assert facts_store.aggregates_unknown() is None


def test_a_source_that_reads_aggregates_knows_them_once_loaded():
    class Reader(base.HostFactsSource):
        name = 'reader'
        supplies_aggregates = True

    class Other(base.HostFactsSource):
        name = 'other'

    conf = fakes.make_conf()
    reader = Reader(conf)
    facts_store = store.HostFactsStore(conf, sources=[reader, Other(conf)])
    assert 'source(s) reader have not loaded' in (
        facts_store.aggregates_unknown())
    reader._publish({}, {})
    assert facts_store.aggregates_unknown() is None
    other = Other(conf)
    other._publish({}, {})
    assert not other.knows_aggregates()
