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

"""Dry runs of the driver: plans and capacity counts claim nothing."""

import threading

import numpy as np
import pytest

from scheduler.cycle import capacity
from scheduler.cycle import claim as claim_step
from scheduler.cycle import request as cycle_request
from scheduler.drivers import dry_run
from scheduler.drivers import filter_scheduler
from scheduler.host_state import builder
from tests.unit.drivers import fake_placement
from tests.unit.host_state import fakes

RAM_ONLY = {'weight_classes': ['RAMWeigher']}
GIB = {'MEMORY_MB': 1024}


def _driver(*free_mb, request=None):
    hosts = [dict(name='host-%d' % i,
                  capacity={'VCPU': 64, 'MEMORY_MB': mb, 'DISK_GB': 1000})
             for i, mb in enumerate(free_mb)]
    placement = fake_placement.FakePlacement(hosts, request=request)
    driver = filter_scheduler.FilterScheduler(
        conf=fakes.make_conf(filter_scheduler=RAM_ONLY),
        placement=placement, rng=np.random.default_rng(0))
    return driver, placement


def _chosen(plan):
    return [choices[0].service_host for choices in plan.selections]


def test_plan_consumes_between_instances_and_claims_nothing():
    # 4096 free vs 3072: the first instance (2048) leaves host-0 with
    # 2048, so the second goes to host-1, as in a multi-create.
    driver, placement = _driver(4096, 3072, request={'MEMORY_MB': 2048})

    plan = driver.plan_destinations(
        None, fakes.make_spec(memory_mb=2048), 2)

    assert plan.refusal is None
    assert _chosen(plan) == ['host-0', 'host-1']
    # Alternates: the host not chosen for the instance, with room left.
    assert [s.service_host for s in plan.selections[0][1:]] == []
    assert placement.claim_calls == [] and placement.claims == {}
    assert placement.released == []


def test_plan_that_does_not_fit_returns_the_refusal_and_explains_it():
    driver, placement = _driver(1024, 1024, request=GIB)

    plan = driver.plan_destinations(None, fakes.make_spec(), 3,
                                    explain_hosts=True)

    assert plan.selections is None
    assert plan.refusal.reason.startswith(
        'instance 3 of 3: There are not enough hosts available.')
    titles = [title for title, _ in plan.explanation]
    assert 'filter: instance 3 of request' in titles
    assert 'weigh: instance 1 of request' in titles
    [lines] = [lines for title, lines in plan.explanation
               if title == 'filter: instance 3 of request']
    assert all('out before this instance' in line or 'removed by' in line
               for line in lines)
    assert placement.claim_calls == [] and placement.released == []
    # The listener is gone with the plan.
    assert not driver.explainer.has_listeners


def test_explanation_keeps_the_lines_of_the_planning_thread_only():
    listener = dry_run._ThreadLines()
    other = threading.Thread(target=listener, args=('other', ['x']))
    other.start()
    other.join()
    listener('mine', ['y'])
    assert listener.lines == [('mine', ['y'])]


def test_claim_step_of_a_dry_run_never_asks_placement():
    class NoClaims(fake_placement.FakePlacement):
        def claim(self, *args, **kwargs):
            raise AssertionError('a dry run claimed')

    placement = NoClaims([dict(name='host-0')])
    request = cycle_request.Request(fakes.make_spec(), ['instance-1'],
                                    dry_run=True)
    request.host_set = builder.build_host_states(
        placement.candidates_, placement.names_, fakes.CELL)

    claimed = claim_step.claim(request, placement, [0], 0, 10)

    assert (claimed.index, claimed.consumer) == (0, None)
    assert request.host_set.placed.tolist() == [1]


def test_select_destinations_requests_are_not_dry_runs():
    request = cycle_request.Request(fakes.make_spec(), ['instance-1'])
    assert request.dry_run is False


def test_capacity_counts_each_host_until_it_no_longer_passes():
    driver, placement = _driver(3072, 1024, 2048, request=GIB)

    counted = driver.plan_capacity(None, fakes.make_spec(), 5000, 100, 30)

    assert counted.refusal is None
    assert counted.total == 6
    assert counted.hosts == [('host-0', 'host-0', 3),
                             ('host-2', 'host-2', 2),
                             ('host-1', 'host-1', 1)]
    assert counted.stopped is None
    assert counted.offered == counted.passed == 3
    assert counted.filtered.startswith('3 of 3 hosts passed')
    # One Placement query, with the count's limit; nothing claimed.
    assert [q.limit for q in placement.queries] == [5000]
    assert placement.claim_calls == []


def test_capacity_stops_at_the_per_host_cap_and_says_so():
    driver, _ = _driver(3072, 1024, 2048, request=GIB)

    counted = driver.plan_capacity(None, fakes.make_spec(), 1000, 2, 30)

    assert counted.total == 5
    assert counted.stopped == capacity.PER_HOST_CAP


def test_capacity_stops_when_its_time_is_up():
    driver, placement = _driver(3072, 2048, request=GIB)
    request = cycle_request.Request(fakes.make_spec(), dry_run=True)
    driver._host_states(request)
    ticks = iter([0.0, 0.5, 2.0])

    counted = capacity.count(request, driver.filters, 100, 1.0,
                             clock=lambda: next(ticks))

    # Two rounds in time: both hosts took two, then the clock ran out.
    assert counted.counts.tolist() == [2, 2]
    assert counted.stopped == capacity.TIME


def test_capacity_of_a_request_placement_cannot_serve_is_its_refusal():
    driver, placement = _driver(512, request=GIB)
    placement.candidates_ = fake_placement.fakes.make_candidates([])[0]

    counted = driver.plan_capacity(None, fakes.make_spec(), 1000, 10, 30)

    assert counted.total == 0
    assert 'Placement has no candidate' in counted.refusal.reason


@pytest.mark.parametrize('explain_option', [True, False])
def test_capacity_count_explains_nothing(explain_option):
    driver, _ = _driver(2048, request=GIB)
    driver.explainer.log = explain_option
    seen = []
    driver.explainer.add_listener(lambda title, lines: seen.append(title))

    driver.plan_capacity(None, fakes.make_spec(), 1000, 10, 30)

    assert [t for t in seen if t.startswith('filter')] == []
