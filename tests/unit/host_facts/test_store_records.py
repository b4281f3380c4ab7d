"""The store hands out one HostFacts record per host until a fact changes."""

from scheduler.host_facts import base
from scheduler.host_facts import rpc
from scheduler.host_facts import store
from scheduler.host_state import facts
from tests.unit.host_facts import fakes


class StaticSource(base.HostFactsSource):
    name = 'static'

    def __init__(self, conf, hosts):
        super().__init__(conf, clock=fakes.Clock())
        self._publish({}, hosts)

    def republish(self, hosts):
        self._publish({}, hosts)


def _store(*extra):
    conf = fakes.make_conf()
    return store.HostFactsStore(
        conf, sources=[rpc.RPCSource(conf, clock=fakes.Clock())] +
        list(extra))


def _db():
    return StaticSource(fakes.make_conf(), {
        name: base.SourceHost(compute=facts.ComputeFacts(
            hypervisor_type='QEMU', stats={'num_instances': n}))
        for n, name in enumerate(['h1', 'h2'])})


def test_unchanged_hosts_get_the_same_record_on_the_next_request():
    facts_store = _store(_db())
    facts_store.update_instances('h1', [{'uuid': 'a'}, {'uuid': 'b'}])
    first = facts_store.facts_for(['h1', 'h2'])
    second = facts_store.facts_for(['h2', 'h1'])
    assert second['h1'] is first['h1']
    assert second['h2'] is first['h2']


def test_an_instance_cast_gives_its_host_a_new_record_only():
    facts_store = _store(_db())
    first = facts_store.facts_for(['h1', 'h2'])
    facts_store.update_instances('h1', [{'uuid': 'a'}, {'uuid': 'b'}])
    second = facts_store.facts_for(['h1', 'h2'])
    assert second['h1'] is not first['h1']
    assert sorted(second['h1'].instances) == ['a', 'b']
    assert second['h2'] is first['h2']


def test_a_source_refresh_gives_new_records():
    db = _db()
    facts_store = _store(db)
    first = facts_store.facts_for(['h1'])
    db.republish({'h1': base.SourceHost(compute=facts.ComputeFacts(
        hypervisor_type='QEMU', stats={'num_instances': 7}))})
    second = facts_store.facts_for(['h1'])
    assert second['h1'] is not first['h1']
    assert second['h1'].compute.stats == {'num_instances': 7}


def test_an_aggregate_change_gives_new_records():
    facts_store = _store(_db())
    facts_store.update_aggregates([{'id': 1, 'hosts': ['h1'],
                                    'metadata': {'availability_zone': 'a'}}])
    first = facts_store.facts_for(['h1', 'h2'])
    facts_store.update_aggregates([{'id': 1, 'hosts': ['h1'],
                                    'metadata': {'availability_zone': 'b'}}])
    second = facts_store.facts_for(['h1', 'h2'])
    assert second['h1'].availability_zone == 'b'
    assert second['h1'] is not first['h1']
    assert second['h2'] is not first['h2']
