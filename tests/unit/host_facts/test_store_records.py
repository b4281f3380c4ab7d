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

"""The store hands out one HostFacts record per host until a fact changes."""

import threading
import time

from scheduler.host_facts import base
from scheduler.host_facts import file as file_source
from scheduler.host_facts import rpc
from scheduler.host_facts import store
from scheduler.host_state import facts
from tests.fixtures import records
from tests.unit.host_facts import fakes

CELL_1 = '5e1a0000-0000-4000-8000-000000000001'
CELL_2 = '5e1a0000-0000-4000-8000-000000000002'


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
    facts_store.update_instances('h1', records.instances('a', 'b'))
    first = facts_store.known_facts()
    second = facts_store.known_facts()
    assert second['h1'] is first['h1']
    assert second['h2'] is first['h2']


def test_an_instance_cast_gives_its_host_a_new_record_only():
    facts_store = _store(_db())
    first = facts_store.known_facts()
    facts_store.update_instances('h1', records.instances('a', 'b'))
    second = facts_store.known_facts()
    assert second['h1'] is not first['h1']
    assert sorted(second['h1'].instances) == ['a', 'b']
    assert second['h2'] is first['h2']


def test_a_source_refresh_gives_new_records():
    db = _db()
    facts_store = _store(db)
    first = facts_store.known_facts()
    db.republish({'h1': base.SourceHost(compute=facts.ComputeFacts(
        hypervisor_type='QEMU', stats={'num_instances': 7}))})
    second = facts_store.known_facts()
    assert second['h1'] is not first['h1']
    assert second['h1'].compute.stats == {'num_instances': 7}


def test_an_aggregate_change_gives_new_records():
    facts_store = _store(_db())
    facts_store.update_aggregates([
        records.aggregate(1, ['h1'], {'availability_zone': 'a'})])
    first = facts_store.known_facts()
    facts_store.update_aggregates([
        records.aggregate(1, ['h1'], {'availability_zone': 'b'})])
    second = facts_store.known_facts()
    assert second['h1'].availability_zone == 'b'
    assert second['h1'] is not first['h1']
    assert second['h2'] is not first['h2']


def test_a_cast_replaces_the_record_of_its_host_and_no_other():
    facts_store = _store(_db())
    for name in ('h1', 'h2', 'h3'):
        facts_store.update_instances(
            name, records.instances(name + '-a', name + '-b'))
    first = facts_store.known_facts()
    facts_store.delete_instance('h2', 'h2-a')
    second = facts_store.known_facts()
    assert sorted(second) == ['h1', 'h2', 'h3']
    assert second['h2'] is not first['h2']
    assert sorted(second['h2'].instances) == ['h2-b']
    assert second['h1'] is first['h1']
    assert second['h3'] is first['h3']
    # What an earlier request got does not change under it.
    assert sorted(first['h2'].instances) == ['h2-a', 'h2-b']


def test_the_answer_covers_every_known_host_whatever_is_asked():
    facts_store = _store(_db())
    facts_store.update_aggregates([records.aggregate(1, ['h9'])])
    facts_store.update_instances('h3', records.instances('a', 'b'))
    known = facts_store.known_facts()
    assert sorted(known) == ['h1', 'h2', 'h3', 'h9']
    assert known['h9'].instances == {}
    assert known.get('unknown') is None


def test_an_aggregate_change_reaches_hosts_known_only_by_aggregate():
    facts_store = _store(_db())
    facts_store.update_aggregates([records.aggregate(1, ['h1', 'h9'])])
    assert [a.id for a in facts_store.known_facts().get('h9').aggregates] == [
        1]
    facts_store.update_aggregates([records.aggregate(1, ['h1'])])
    known = facts_store.known_facts()
    assert known.get('h9') is None
    assert [a.id for a in known['h1'].aggregates] == [1]


def test_a_host_a_reload_drops_is_forgotten():
    db = _db()
    facts_store = _store(db)
    assert sorted(facts_store.known_facts()) == ['h1', 'h2']
    db.republish({'h1': db.host('h1')})
    known = facts_store.known_facts()
    assert sorted(known) == ['h1']
    assert known['h1'].compute is db.host('h1').compute


def test_a_host_forgotten_by_its_only_source_is_forgotten():
    db = _db()
    facts_store = _store(db)
    first = facts_store.known_facts()
    with db._lock:
        db._set_host_locked('h2', None)
    second = facts_store.known_facts()
    assert second.get('h2') is None
    assert second['h1'] is first['h1']


def test_a_cast_for_a_host_another_source_knows_keeps_its_facts():
    facts_store = _store(_db())
    facts_store.update_instances('h2', records.instances('a', 'b'))
    h2 = facts_store.known_facts()['h2']
    assert sorted(h2.instances) == ['a', 'b']
    assert h2.compute.stats == {'num_instances': 1}


def test_the_file_source_reloaded_is_seen(tmp_path):
    path = tmp_path / 'host_facts.yaml'
    path.write_text('cells: [{uuid: %s, hosts: [h1]}]' % CELL_1)
    conf = fakes.make_conf(host_facts_file={'path': str(path)})
    facts_store = _store(file_source.FileSource(conf, clock=fakes.Clock()))
    assert facts_store.known_facts()['h1'].cell_uuid == CELL_1
    path.write_text('cells: [{uuid: %s, hosts: [h2]}]' % CELL_2)
    facts_store.reload()
    known = facts_store.known_facts()
    assert known.get('h1') is None
    assert known['h2'].cell_uuid == CELL_2


def test_casts_while_requests_read_never_disturb_them():
    facts_store = _store(_db())
    stop = threading.Event()
    errors = []

    def casts():
        try:
            n = 0
            while not stop.is_set():
                n += 1
                name = 'h%d' % (n % 500)
                facts_store.update_instances(
                    name, records.instances('a%d' % n, 'b%d' % n))
                if n % 7 == 0:
                    facts_store.update_aggregates(
                        [records.aggregate(id=n % 3, hosts=[name])])
        except Exception as e:
            errors.append(e)

    thread = threading.Thread(target=casts)
    thread.start()
    try:
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            known = facts_store.known_facts()
            for name in list(known):
                assert known[name] is not None
    finally:
        stop.set()
        thread.join()
    assert errors == []
    # Once the casts stop, the merged facts are those of the sources.
    known = facts_store.known_facts()
    rpc_hosts = facts_store.rpc.records()
    for name, record in rpc_hosts.items():
        assert known[name].instances is record.instances
