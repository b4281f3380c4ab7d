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

import json

import numpy as np
import pytest

from scheduler.drivers import filter_scheduler
from scheduler import exception
from scheduler.filters import handler as filter_handler
from scheduler.host_facts import store
from scheduler.host_state import builder
from scheduler.host_state import facts as host_facts
from scheduler.host_state import host_state as hs
from tests.fixtures import records
from tests.unit.drivers import fake_placement
from tests.unit.host_facts import fakes as facts_fakes
from tests.unit.host_state import fakes

OTHER_CELL = '00000000-0000-0000-0000-0000000000bb'


def _uuids(n):
    return ['instance-%d' % i for i in range(n)]


def _driver(placement, rng=0, **conf_groups):
    conf = fakes.make_conf(**conf_groups)
    return filter_scheduler.FilterScheduler(
        conf=conf, placement=placement, rng=np.random.default_rng(rng))


def _ram_hosts(*free_mb, **fields):
    return [dict(name='host-%d' % i,
                 capacity={'VCPU': 64, 'MEMORY_MB': mb, 'DISK_GB': 1000},
                 **fields)
            for i, mb in enumerate(free_mb)]


def _chosen(result):
    return [selections[0].service_host for selections in result]


RAM_ONLY = {'weight_classes': ['RAMWeigher']}


def test_instance_goes_to_the_best_weighed_host_with_its_request():
    placement = fake_placement.FakePlacement(_ram_hosts(2048, 8192, 4096))
    driver = _driver(placement, filter_scheduler=RAM_ONLY)
    result = driver.select_destinations(None, fakes.make_spec(), ['i-1'])
    (selection,) = result[0]
    assert selection.service_host == selection.nodename == 'host-1'
    assert selection.compute_node_uuid == fakes.rp_uuid('host-1')
    assert selection.cell_uuid == fakes.CELL
    assert selection.allocation_request_version == '1.36'
    request = json.loads(selection.allocation_request)
    assert list(request['allocations']) == [fakes.rp_uuid('host-1')]
    assert placement.claims == {'i-1': ('host-1', 'project', 'user',
                                        '1.36')}


def test_multi_create_consumes_the_chosen_host_before_the_next_instance():
    # 4096 free vs 3072: the first instance (2048) leaves host-0 with
    # 2048, so the second goes to host-1.
    placement = fake_placement.FakePlacement(
        _ram_hosts(4096, 3072), request={'MEMORY_MB': 2048})
    driver = _driver(placement, filter_scheduler=RAM_ONLY)
    result = driver.select_destinations(
        None, fakes.make_spec(memory_mb=2048), _uuids(2))
    assert _chosen(result) == ['host-0', 'host-1']
    assert [c[1] for c in placement.claim_calls] == ['host-0', 'host-1']


def test_host_without_room_left_is_not_offered_to_later_instances():
    placement = fake_placement.FakePlacement(
        _ram_hosts(1024, 1024, 1024), request={'MEMORY_MB': 1024})
    driver = _driver(placement)
    result = driver.select_destinations(None, fakes.make_spec(), _uuids(3))
    assert sorted(_chosen(result)) == ['host-0', 'host-1', 'host-2']
    assert len(placement.claim_calls) == 3


def test_instance_that_does_not_fit_releases_the_earlier_claims():
    placement = fake_placement.FakePlacement(
        _ram_hosts(1024, 1024), request={'MEMORY_MB': 1024})
    driver = _driver(placement)
    with pytest.raises(exception.NoValidHost) as e:
        driver.select_destinations(None, fakes.make_spec(), _uuids(3))
    assert e.value.reason == (
        'instance 3 of 3: There are not enough hosts available. 0 of 2 '
        'hosts passed: %s 2->0' % filter_handler.ROOM_STEP)
    assert sorted(placement.released) == ['instance-0', 'instance-1']
    assert placement.claims == {}


def _with_cells(monkeypatch, cells):
    """Put the hosts named in ``cells`` ({name: cell}) in those cells."""
    build = builder.build_host_states

    def build_with_cells(*args, **kwargs):
        # As a host-facts source naming the hosts' cells would.
        facts = dict(kwargs.get('facts') or {})
        for name, cell in cells.items():
            facts[name] = host_facts.HostFacts(cell_uuid=cell)
        kwargs['facts'] = facts
        return build(*args, **kwargs)

    monkeypatch.setattr(builder, 'build_host_states', build_with_cells)


def test_alternates_come_from_the_chosen_hosts_cell(monkeypatch):
    # Best to worst: host-5 .. host-0; host-4 and host-3 in another cell.
    _with_cells(monkeypatch, {'host-4': OTHER_CELL, 'host-3': OTHER_CELL})
    placement = fake_placement.FakePlacement(
        _ram_hosts(1500, 2000, 3000, 4000, 5000, 6000))
    driver = _driver(placement, filter_scheduler=RAM_ONLY,
                     scheduler={'max_attempts': 3})
    (selections,) = driver.select_destinations(
        None, fakes.make_spec(), ['i-1'], return_alternates=True)
    assert [s.service_host for s in selections] == [
        'host-5', 'host-2', 'host-1']
    assert {s.cell_uuid for s in selections} == {fakes.CELL}
    for s in selections:
        request = json.loads(s.allocation_request)
        assert list(request['allocations']) == [fakes.rp_uuid(s.nodename)]
    # Alternates are not claimed.
    assert list(placement.claims) == ['i-1']
    assert placement.claim_calls == [('i-1', 'host-5')]


def test_alternates_are_max_attempts_minus_one_at_most():
    placement = fake_placement.FakePlacement(
        _ram_hosts(*range(2000, 12000, 1000)))
    for attempts, expected in ((1, 1), (2, 2), (5, 5)):
        driver = _driver(placement, scheduler={'max_attempts': attempts})
        result = driver.select_destinations(
            None, fakes.make_spec(), None, return_alternates=True)
        assert len(result[0]) == expected
    few = fake_placement.FakePlacement(_ram_hosts(2000, 3000))
    driver = _driver(few, scheduler={'max_attempts': 5})
    result = driver.select_destinations(None, fakes.make_spec(), None,
                                        return_alternates=True)
    assert len(result[0]) == 2


def test_alternates_exclude_the_hosts_chosen_for_the_request():
    placement = fake_placement.FakePlacement(
        _ram_hosts(1024, 2048, 3072, 4096), request={'MEMORY_MB': 1024})
    driver = _driver(placement, filter_scheduler=RAM_ONLY,
                     scheduler={'max_attempts': 3})
    result = driver.select_destinations(
        None, fakes.make_spec(), _uuids(2), return_alternates=True)
    chosen = set(_chosen(result))
    for selections in result:
        alternates = {s.service_host for s in selections[1:]}
        assert len(alternates) == 2
        assert not alternates & chosen


def test_no_alternates_unless_asked():
    placement = fake_placement.FakePlacement(_ram_hosts(1500, 2000, 3000))
    result = _driver(placement).select_destinations(
        None, fakes.make_spec(), ['i-1'])
    assert [len(s) for s in result] == [1]


def test_claim_conflict_falls_to_the_next_weighed_host():
    placement = fake_placement.FakePlacement(_ram_hosts(1500, 3000, 2000))
    placement.refuse = {'host-1'}
    driver = _driver(placement, filter_scheduler=RAM_ONLY)
    result = driver.select_destinations(None, fakes.make_spec(), ['i-1'])
    assert _chosen(result) == ['host-2']
    assert placement.claim_calls == [('i-1', 'host-1'), ('i-1', 'host-2')]


def test_every_claim_refused_is_no_valid_host_saying_so():
    placement = fake_placement.FakePlacement(_ram_hosts(2000, 3000))
    placement.refuse = {'host-0', 'host-1'}
    with pytest.raises(exception.NoValidHost) as e:
        _driver(placement).select_destinations(None, fakes.make_spec(),
                                               ['i-1'])
    assert e.value.reason == (
        'none of the 2 hosts that passed the filters could be claimed: 2 '
        'refused by Placement, 0 without room for the request in the '
        'provider summaries')
    # Placement's last word names the host: the operator's to read, with
    # the hosts as weighed, best first, and each weigher's share.
    detail, top = e.value.detail.split('; top weighed: ')
    assert detail.endswith('(last refusal: no room on host-0)')
    assert top.startswith('host-1 (host-1): weight ')
    assert '; host-0 (host-0): weight ' in top
    assert 'RAMWeigher' in top
    assert placement.claim_calls == [('i-1', 'host-1'), ('i-1', 'host-0')]


def test_placement_failure_of_a_later_claim_releases_every_claim():
    placement = fake_placement.FakePlacement(_ram_hosts(8192, 8192, 8192))
    placement.fail_claim = {1: exception.PlacementTimeout(
        'Placement at http://placement timed out after 30s')}
    driver = _driver(placement)
    with pytest.raises(exception.NoValidHost) as e:
        driver.select_destinations(None, fakes.make_spec(), _uuids(3))
    # The caller's text names no endpoint; the operator's detail does.
    assert e.value.reason == (
        'Placement timed out: Placement timed out after 30s')
    assert 'http://placement' in e.value.detail
    # instance-1's claim may have been written before the timeout.
    assert placement.released == ['instance-0', 'instance-1']
    assert driver.placement_failures == {'timed out': 1}


def test_placement_failure_for_candidates_is_the_reason_not_capacity():
    placement = fake_placement.FakePlacement(_ram_hosts(1500))
    placement.fail['candidates'] = exception.PlacementUnreachable(
        'Placement at http://placement is unreachable: [Errno 111]')
    driver = _driver(placement)
    with pytest.raises(exception.NoValidHost) as e:
        driver.select_destinations(None, fakes.make_spec(), ['i-1'])
    assert e.value.reason == (
        'Placement unreachable: Placement is unreachable: [Errno 111]')
    assert 'Placement at http://placement' in e.value.detail
    assert placement.claim_calls == []


def test_placement_failure_looking_up_names_is_the_reason():
    placement = fake_placement.FakePlacement(_ram_hosts(1500))
    placement.fail['names'] = exception.PlacementServerError('answered 500')
    with pytest.raises(exception.NoValidHost) as e:
        _driver(placement).select_destinations(None, fakes.make_spec(),
                                               ['i-1'])
    assert e.value.reason == 'Placement server error: answered 500'


def test_no_candidates_reason_describes_the_query_and_what_was_relaxed():
    placement = fake_placement.FakePlacement([])
    with pytest.raises(exception.NoValidHost) as e:
        _driver(placement).select_destinations(None, fakes.make_spec(),
                                               ['i-1'])
    assert e.value.reason == (
        'Placement has no candidate for VCPU:1, MEMORY_MB:1024, DISK_GB:10: '
        'relaxing any one of the 3 constraints tried still leaves no '
        'candidate (several fail together)')
    # The query, then one relaxed query per resource, each with limit=1.
    assert [q.limit for q in placement.queries] == [1000, 1, 1, 1]
    assert 'limit=1000' in e.value.detail


def test_candidates_without_known_names_are_no_valid_host():
    placement = fake_placement.FakePlacement(_ram_hosts(1500))
    placement.names_ = {}
    with pytest.raises(exception.NoValidHost) as e:
        _driver(placement).select_destinations(None, fakes.make_spec(),
                                               ['i-1'])
    assert 'no name known' in e.value.reason


def test_filter_that_empties_the_list_is_the_reason():
    placement = fake_placement.FakePlacement(
        _ram_hosts(1500, 2000, 3000, traits=[hs.DISABLED_TRAIT]))
    driver = _driver(placement, filter_scheduler={
        'enabled_filters': ['ComputeFilter']})
    # Their services are up: the disabled trait alone removes them.
    conf = fakes.make_conf()
    driver.host_facts = store.HostFactsStore(conf, sources=[
        facts_fakes.ComputeRecords(conf, facts_fakes.services_up(
            'host-0', 'host-1', 'host-2'))])
    with pytest.raises(exception.NoValidHost) as e:
        driver.select_destinations(None, fakes.make_spec(), ['i-1'])
    assert e.value.reason == ('There are not enough hosts available. 0 of '
                              '3 hosts passed: ComputeFilter 3->0')
    assert str(e.value) == ('No valid host was found. There are not enough '
                            'hosts available. 0 of 3 hosts passed: '
                            'ComputeFilter 3->0')


def test_without_instance_uuids_nothing_is_claimed():
    placement = fake_placement.FakePlacement(
        _ram_hosts(1024, 1024), request={'MEMORY_MB': 1024})
    result = _driver(placement).select_destinations(
        None, fakes.make_spec(num_instances=2), None)
    assert sorted(_chosen(result)) == ['host-0', 'host-1']
    assert placement.claim_calls == []


def test_more_instances_than_allowed_is_refused_before_placement():
    placement = fake_placement.FakePlacement(_ram_hosts(1500))
    placement.fail['candidates'] = AssertionError('must not be called')
    driver = _driver(placement,
                     scheduler={'max_instances_per_request': 2})
    with pytest.raises(exception.NoValidHost) as e:
        driver.select_destinations(None, fakes.make_spec(), _uuids(3))
    assert 'max_instances_per_request' in e.value.reason


def test_forced_host_is_chosen_over_better_ones():
    placement = fake_placement.FakePlacement(_ram_hosts(2000, 9000))
    spec = fakes.make_spec(force_hosts=['host-0'])
    result = _driver(placement).select_destinations(None, spec, ['i-1'])
    assert _chosen(result) == ['host-0']


def test_host_subset_size_spreads_the_first_choice_over_the_best_n():
    placement = fake_placement.FakePlacement(
        _ram_hosts(1500, 2000, 3000, 4000))
    driver = _driver(placement, filter_scheduler=dict(
        RAM_ONLY, host_subset_size=2))
    chosen = {_chosen(driver.select_destinations(
        None, fakes.make_spec(), None))[0] for _ in range(50)}
    assert chosen == {'host-3', 'host-2'}


def test_shuffle_spreads_identical_hosts_and_is_off_by_default():
    placement = fake_placement.FakePlacement(_ram_hosts(*[4096] * 5))
    driver = _driver(placement)
    first = {_chosen(driver.select_destinations(
        None, fakes.make_spec(), None))[0] for _ in range(20)}
    assert first == {'host-0'}
    driver = _driver(placement, filter_scheduler={
        'shuffle_best_same_weighed_hosts': True})
    first = {_chosen(driver.select_destinations(
        None, fakes.make_spec(), None))[0] for _ in range(50)}
    assert len(first) > 2


def test_release_failure_is_logged_and_the_other_claims_still_released():
    placement = fake_placement.FakePlacement(
        _ram_hosts(1024, 1024), request={'MEMORY_MB': 1024})
    placement.fail['release'] = exception.PlacementUnreachable('down')
    driver = _driver(placement)
    with pytest.raises(exception.NoValidHost):
        driver.select_destinations(None, fakes.make_spec(), _uuids(3))
    assert placement.released == ['instance-0', 'instance-1']
    # Tried again later (tests/unit/drivers/test_deferred_releases.py).
    assert len(driver.deferred_releases) == 2
    driver.stop()


def test_unexpected_error_after_a_claim_still_releases_it():
    class BrokenWeigher:
        calls = 0

        def weigh(self, host_set, spec, indices, more=False):
            BrokenWeigher.calls += 1
            if BrokenWeigher.calls > 1:
                raise RuntimeError('weigher bug')
            return np.zeros(len(indices))

    placement = fake_placement.FakePlacement(_ram_hosts(8192, 8192))
    driver = filter_scheduler.FilterScheduler(
        conf=fakes.make_conf(), placement=placement,
        weighers=BrokenWeigher())
    with pytest.raises(RuntimeError):
        driver.select_destinations(None, fakes.make_spec(), _uuids(2))
    assert placement.released == ['instance-0']


def test_selection_carries_the_default_availability_zone():
    placement = fake_placement.FakePlacement(_ram_hosts(2048, 4096))
    driver = _driver(placement)
    result = driver.select_destinations(None, fakes.make_spec(), ['i-1'],
                                        return_alternates=True)
    assert {s.availability_zone for s in result[0]} == {'nova'}


def test_selection_carries_the_zone_of_its_hosts_aggregate():
    placement = fake_placement.FakePlacement(_ram_hosts(2048, 4096))
    driver = _driver(placement)
    facts = store.HostFactsStore(fakes.make_conf())
    facts.update_aggregates([records.aggregate(
        1, ['host-1'], {'availability_zone': 'az1'}, uuid='agg-1',
        name='az1')])
    driver.host_facts = facts
    result = driver.select_destinations(None, fakes.make_spec(), ['i-1'],
                                        return_alternates=True)
    zones = {s.service_host: s.availability_zone for s in result[0]}
    assert zones == {'host-1': 'az1', 'host-0': 'nova'}


def test_claims_stop_after_max_claim_conflicts_saying_why():
    placement = fake_placement.FakePlacement(_ram_hosts(*[4096] * 6))
    placement.refuse = {'host-%d' % i for i in range(6)}
    driver = _driver(placement, scheduler={'max_claim_conflicts': 2})
    with pytest.raises(exception.NoValidHost) as err:
        driver.select_destinations(None, fakes.make_spec(), ['i-1'])
    assert 'refused the claim on 2 hosts in a row' in err.value.reason
    assert 'max_claim_conflicts' in err.value.reason
    assert len(placement.claim_calls) == 2


def test_a_request_delivered_twice_answers_with_the_claim_it_holds():
    class Redelivered(fake_placement.FakePlacement):
        def claim(self, consumer_uuid, allocation_request, project_id,
                  user_id, version, move=True, foreign=()):
            self.moves = getattr(self, 'moves', []) + [move]
            held = {self.uuid_of['host-2']: {'resources': {'VCPU': 1}}}
            raise exception.ConsumerHoldsClaim('held', held)

    placement = Redelivered(_ram_hosts(8192, 4096, 2048))
    placement.uuid_of = {h: rp for rp, h in placement.host_of.items()}
    result = _driver(placement, filter_scheduler=RAM_ONLY).select_destinations(
        None, fakes.make_spec(), ['i-1'])
    # Not a move (no ignored source): the first delivery's host, once.
    assert placement.moves == [False]
    assert _chosen(result) == ['host-2']
    assert placement.released == []


def test_an_evacuation_delivered_twice_answers_with_its_destination():
    class Redelivered(fake_placement.FakePlacement):
        def claim(self, consumer_uuid, allocation_request, project_id,
                  user_id, version, move=True, foreign=()):
            self.foreign = foreign
            # The source (a candidate here, listed first) and the first
            # delivery's destination.
            held = {self.uuid_of[h]: {'resources': {'VCPU': 1}}
                    for h in ('host-0', 'host-2')}
            raise exception.ConsumerHoldsClaim('held', held)

    placement = Redelivered(_ram_hosts(2048, 8192, 4096))
    placement.uuid_of = {h: rp for rp, h in placement.host_of.items()}
    result = _driver(placement, filter_scheduler=RAM_ONLY).select_destinations(
        None, fakes.make_spec(ignore_hosts=['host-0']), ['i-1'])
    # Every candidate but the source may hold the first delivery's claim.
    assert {h for h, rp in placement.uuid_of.items()
            if rp in placement.foreign} == {'host-1', 'host-2'}
    assert _chosen(result) == ['host-2']
    assert placement.released == []


def test_an_evacuation_claims_as_a_move():
    placement = fake_placement.FakePlacement(_ram_hosts(8192, 4096))
    calls = []
    claim = placement.claim

    def recording(*args, move=True, foreign=()):
        calls.append(move)
        return claim(*args, move=move, foreign=foreign)

    placement.claim = recording
    _driver(placement).select_destinations(
        None, fakes.make_spec(ignore_hosts=['host-9']), ['i-1'])
    assert calls == [True]
