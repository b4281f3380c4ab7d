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

"""The driver reads the host-facts store: cells, zones, fail closed."""

import numpy as np
import pytest

from scheduler.cycle import candidates
from scheduler.cycle import host_states
from scheduler.cycle import query
from scheduler.cycle import request as cycle_request
from scheduler.drivers import filter_scheduler
from scheduler import exception
from scheduler.host_facts import base
from scheduler.host_facts import rpc
from scheduler.host_facts import store
from scheduler.objects import request_spec as rs
from tests.fixtures import records
from tests.unit.drivers import fake_placement
from tests.unit.host_facts import fakes as facts_fakes
from tests.unit.host_state import fakes

CELL_A = 'aaaaaaaa-0000-4000-8000-000000000001'
CELL_B = 'bbbbbbbb-0000-4000-8000-000000000002'


class CellSource(base.HostFactsSource):
    name = 'cells'

    def __init__(self, conf, cells, clock):
        super().__init__(conf, clock=clock)
        self._publish({}, {h: base.SourceHost(cell_uuid=c)
                           for h, c in cells.items()})


def _hosts(*free_mb):
    return [dict(name='host-%d' % i,
                 capacity={'VCPU': 64, 'MEMORY_MB': mb, 'DISK_GB': 1000})
            for i, mb in enumerate(free_mb)]


def _driver(hosts, cells, clock=None, max_attempts=3):
    conf = fakes.make_conf(scheduler={'max_attempts': max_attempts},
                           filter_scheduler={'weight_classes':
                                             ['RAMWeigher']})
    driver = filter_scheduler.FilterScheduler(
        conf=conf, placement=fake_placement.FakePlacement(hosts),
        rng=np.random.default_rng(0))
    facts_conf = facts_fakes.make_conf(host_facts={'max_stale_seconds': 30})
    clock = clock or facts_fakes.Clock()
    cell_source = CellSource(facts_conf, cells, clock)
    driver.host_facts = store.HostFactsStore(
        facts_conf, sources=[rpc.RPCSource(facts_conf, clock=clock),
                             cell_source])
    return driver, cell_source, clock


def test_selection_and_alternates_carry_the_chosen_hosts_cell():
    driver, _, _ = _driver(
        _hosts(8192, 4096, 2048, 1024),
        {'host-0': CELL_A, 'host-1': CELL_B, 'host-2': CELL_A,
         'host-3': CELL_B})
    (selections,) = driver.select_destinations(
        None, fakes.make_spec(), ['i-1'], return_alternates=True)
    assert [(s.service_host, s.cell_uuid) for s in selections] == [
        ('host-0', CELL_A), ('host-2', CELL_A)]


def test_zone_cast_over_rpc_reaches_the_selection():
    driver, _, _ = _driver(_hosts(8192, 4096), {})
    driver.host_facts.update_aggregates([records.aggregate(
        1, ['host-0'], {'availability_zone': 'az-east'})])
    (selections,) = driver.select_destinations(
        None, fakes.make_spec(), ['i-1'], return_alternates=True)
    assert {s.service_host: s.availability_zone for s in selections} == {
        'host-0': 'az-east', 'host-1': 'nova'}


def test_instances_cast_over_rpc_are_in_the_host_state():
    driver, _, _ = _driver(_hosts(8192), {})
    driver.host_facts.update_instances('host-0', records.instances('a', 'b'))
    request = cycle_request.Request(fakes.make_spec())
    query.build(request, driver.placement, driver.host_facts)
    candidates.fetch(request, driver.placement)
    host_set = host_states.build(request, driver.placement,
                                 driver.host_facts, driver.conf)
    assert sorted(host_set.hosts[0].facts.instances) == ['a', 'b']


def test_stale_source_still_serves_then_fails_closed_with_a_reason():
    driver, cell_source, clock = _driver(_hosts(8192), {'host-0': CELL_A})
    cell_source._failed('cell database unreachable')
    (selections,) = driver.select_destinations(None, fakes.make_spec(),
                                               ['i-1'])
    assert selections[0].cell_uuid == CELL_A
    clock.advance(31)
    with pytest.raises(exception.NoValidHost) as e:
        driver.select_destinations(None, fakes.make_spec(), ['i-2'])
    assert e.value.reason == ('none of the 1 hosts can be vouched for by '
                              'the host-facts sources')
    # The source's own words (cells, databases) are the operator's.
    assert 'cell database unreachable' in e.value.detail
    assert 'host facts source cells' in e.value.detail


class ComputeNodesOnly(CellSource):
    """Refuses any name it has no record of (as nova_db does)."""

    asked = None

    def refused_hosts(self, host_names):
        self.asked = list(host_names)
        return {name: 'not a compute node' for name in self.asked
                if name not in self.records()}


def test_only_the_candidate_hosts_are_asked_to_be_vouched_for():
    driver, _, clock = _driver(_hosts(8192, 4096, 2048), {})
    # The provider names cache also knows providers that are no candidate
    # (e.g. a PF or a sharing provider).
    driver.placement.names_['sharing-provider'] = 'shared-disk'
    gone = fakes.rp_uuid('host-2')
    candidates = driver.placement.candidates_
    candidates.allocation_requests[:] = [
        ar for ar in candidates.allocation_requests
        if gone not in ar['allocations']]
    del candidates.provider_summaries[gone]
    source = driver.host_facts.sources[1] = ComputeNodesOnly(
        driver.host_facts.conf, {'host-1': CELL_A}, clock)
    (selections,) = driver.select_destinations(
        None, fakes.make_spec(), ['i-1'])
    assert sorted(source.asked) == ['host-0', 'host-1']
    assert selections[0].service_host == 'host-1'


def _rpc_only_driver(*filters):
    conf = fakes.make_conf(filter_scheduler={
        'enabled_filters': list(filters), 'weight_classes': ['RAMWeigher']})
    driver = filter_scheduler.FilterScheduler(
        conf=conf, placement=fake_placement.FakePlacement(_hosts(8192,
                                                                 4096)),
        rng=np.random.default_rng(0))
    driver.host_facts = store.HostFactsStore(facts_fakes.make_conf())
    return driver


def test_tenant_isolation_lets_no_host_pass_before_aggregates_are_known():
    driver = _rpc_only_driver('AggregateMultiTenancyIsolation')
    with pytest.raises(exception.NoValidHost) as e:
        driver.select_destinations(None, fakes.make_spec(), ['i-1'])
    assert ('AggregateMultiTenancyIsolation 2->0 (aggregate membership '
            'unknown: no aggregate facts since start') in e.value.reason
    # Nova casts the aggregates: host-0 is confined to another project.
    driver.host_facts.update_aggregates([records.aggregate(
        1, ['host-0'], {'filter_tenant_id': 'other'}, uuid='a1')])
    (selections,) = driver.select_destinations(None, fakes.make_spec(),
                                               ['i-2'])
    assert selections[0].service_host == 'host-1'


def test_a_zone_filter_judges_requests_without_a_zone_as_before():
    driver = _rpc_only_driver('AvailabilityZoneFilter')
    assert driver.select_destinations(None, fakes.make_spec(), ['i-1'])
    with pytest.raises(exception.NoValidHost) as e:
        driver.select_destinations(
            None, fakes.make_spec(availability_zone='nova'), ['i-2'])
    assert 'AvailabilityZoneFilter 2->0 (aggregate membership unknown' in (
        e.value.reason)


def _anti_affinity_spec():
    return fakes.make_spec(instance_group=rs.InstanceGroup(
        uuid='group', policy='anti-affinity', members=['m1', 'm2']))


def test_anti_affinity_refuses_hosts_known_only_through_an_aggregate():
    driver = _rpc_only_driver('ServerGroupAntiAffinityFilter')
    driver.host_facts.update_aggregates([records.aggregate(
        1, ['host-0', 'host-1'], {}, uuid='a1')])
    with pytest.raises(exception.NoValidHost) as e:
        driver.select_destinations(None, _anti_affinity_spec(), ['m2'])
    assert ('ServerGroupAntiAffinityFilter 2->0 (2 of them with instance '
            'list unknown: no full instance list from their nova-compute '
            'since start') in e.value.reason


def test_anti_affinity_refuses_an_incomplete_instance_list_until_a_sync():
    driver = _rpc_only_driver('ServerGroupAntiAffinityFilter')
    driver.host_facts.sync_instances('host-1', [])
    # One instance from a host never heard of: not its whole list.
    driver.host_facts.update_instances('host-0', records.instances('x'))
    (selections,) = driver.select_destinations(None, _anti_affinity_spec(),
                                               ['m2'])
    assert selections[0].service_host == 'host-1'
    driver.host_facts.update_instances('host-1', records.instances('m1'))
    with pytest.raises(exception.NoValidHost) as e:
        driver.select_destinations(None, _anti_affinity_spec(), ['m2'])
    assert ('ServerGroupAntiAffinityFilter 2->0 (1 of them with instance '
            'list unknown: no full instance list') in e.value.reason
    # The sync gives host-0's whole list: judged on it, it runs no member.
    driver.host_facts.sync_instances('host-0', ['x', 'y'])
    (selections,) = driver.select_destinations(None, _anti_affinity_spec(),
                                               ['m2'])
    assert selections[0].service_host == 'host-0'


def test_a_sync_matching_an_incomplete_list_completes_it():
    driver = _rpc_only_driver('ServerGroupAntiAffinityFilter')
    driver.host_facts.update_instances('host-0', records.instances('x'))
    # The compute's sync lists the same instance: the list was complete.
    driver.host_facts.sync_instances('host-0', ['x'])
    (selections,) = driver.select_destinations(None, _anti_affinity_spec(),
                                               ['m2'])
    assert selections[0].service_host == 'host-0'


def test_compute_filter_refuses_hosts_no_source_reports_naming_nova_db():
    driver = _rpc_only_driver('ComputeFilter')
    with pytest.raises(exception.NoValidHost) as e:
        driver.select_destinations(None, fakes.make_spec(), ['i-1'])
    assert e.value.reason.endswith(
        'ComputeFilter 2->0 (2 of them with compute service and details '
        'unknown: no configured host-facts source reports nova-compute '
        'services; configure [host_facts] sources = nova_db)')
