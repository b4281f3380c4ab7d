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

"""Step widen: a refusal on a cut answer is asked again in full.

The filter_scheduler driver runs its cycle through ``widen.run``.
"""

import dataclasses

import numpy as np
import pytest

from scheduler.cycle import request as cycle_request
from scheduler.cycle import widen
from scheduler.drivers import filter_scheduler
from scheduler import exception
from scheduler.placement import query as placement_query
from tests.unit.drivers import fake_placement
from tests.unit.host_state import fakes

FULL = 1000
RAM_ONLY = {'weight_classes': ['RAMWeigher']}


class CutPlacement(fake_placement.FakePlacement):
    """Placement that answers the first ``limit`` hosts, in list order.

    As Placement without ``randomize_allocation_candidates``: the cut
    keeps its own order, whatever the weighers would prefer.
    """

    def __init__(self, hosts, limit, request=None):
        # Each allocation request asks 2048 MB, as the specs below.
        super().__init__(hosts, request or {'MEMORY_MB': 2048})
        self.limit = limit

    def query(self, spec, host_facts=None):
        query = fake_placement.fake_query(spec)
        query.limit = self.limit
        return query

    def candidates(self, query, global_request_id=None):
        self.queries.append(query.limit)
        full = self.candidates_
        kept = full.allocation_requests[:query.limit]
        roots = {rp for request in kept for rp in request['allocations']}
        return dataclasses.replace(
            full, allocation_requests=kept,
            provider_summaries={rp: s for rp, s in
                                full.provider_summaries.items()
                                if rp in roots})


def _driver(placement):
    # No diagnosis: its relaxed queries would count among the queries.
    conf = fakes.make_conf(filter_scheduler=RAM_ONLY,
                           scheduler={'diagnosis_max_queries': 0})
    return filter_scheduler.FilterScheduler(
        conf=conf, placement=placement, rng=np.random.default_rng(0))


def _hosts(*free_mb):
    return [dict(name='host-%d' % i,
                 capacity={'VCPU': 64, 'MEMORY_MB': mb, 'DISK_GB': 1000})
            for i, mb in enumerate(free_mb)]


def _chosen(result):
    return [selections[0].service_host for selections in result]


def test_no_host_of_a_cut_answer_passes_so_the_full_answer_is_asked():
    # The first two hosts have no room for 2048 MB: a limit of 2 sees
    # only them; the cloud has room on host-3.
    placement = CutPlacement(_hosts(1024, 1024, 1024, 8192), limit=2)
    result = _driver(placement).select_destinations(
        None, fakes.make_spec(memory_mb=2048), ['i-1'])
    assert _chosen(result) == ['host-3']
    assert placement.queries == [2, FULL]
    assert placement.claims['i-1'][0] == 'host-3'


def test_a_cut_answer_that_serves_the_request_is_not_asked_again():
    placement = CutPlacement(_hosts(4096, 1024, 8192), limit=2)
    result = _driver(placement).select_destinations(
        None, fakes.make_spec(memory_mb=2048), ['i-1'])
    # The weighers chose among the two hosts offered, not host-2.
    assert _chosen(result) == ['host-0']
    assert placement.queries == [2]


def test_an_answer_shorter_than_its_limit_is_every_candidate():
    placement = CutPlacement(_hosts(1024, 1024), limit=5)
    with pytest.raises(exception.NoValidHost) as e:
        _driver(placement).select_destinations(
            None, fakes.make_spec(memory_mb=2048), ['i-1'])
    assert 'none of the 2 hosts' in e.value.reason
    assert placement.queries == [5]


def test_a_refusal_at_the_full_limit_is_not_asked_again():
    placement = CutPlacement(_hosts(1024, 1024), limit=FULL)
    with pytest.raises(exception.NoValidHost):
        _driver(placement).select_destinations(
            None, fakes.make_spec(memory_mb=2048), ['i-1'])
    assert placement.queries == [FULL]


def test_the_full_answer_refuses_too_and_its_refusal_is_the_answer():
    placement = CutPlacement(_hosts(1024, 1024, 1024), limit=2)
    with pytest.raises(exception.NoValidHost) as e:
        _driver(placement).select_destinations(
            None, fakes.make_spec(memory_mb=2048), ['i-1'])
    assert placement.queries == [2, FULL]
    assert 'none of the 3 hosts' in e.value.reason


def test_an_empty_answer_is_not_asked_again():
    placement = CutPlacement([], limit=2)
    with pytest.raises(exception.NoValidHost):
        _driver(placement).select_destinations(
            None, fakes.make_spec(memory_mb=2048), ['i-1'])
    assert placement.queries == [2]


def test_claims_of_the_first_run_are_released_before_the_second():
    # Two instances of 2048 MB; the cut answer (host-0, host-1) has room
    # for one: the first instance's claim is released, then both go to
    # the hosts of the full answer.
    placement = CutPlacement(
        _hosts(2048, 1024, 4096, 1024), limit=2,
        request={'MEMORY_MB': 2048})
    result = _driver(placement).select_destinations(
        None, fakes.make_spec(memory_mb=2048), ['i-0', 'i-1'])
    assert placement.queries == [2, FULL]
    assert placement.released == ['i-0']
    assert sorted(_chosen(result)) == ['host-0', 'host-2']
    assert set(placement.claims) == {'i-0', 'i-1'}


def test_should_retry_reads_the_query_and_its_answer():
    request = cycle_request.Request(fakes.make_spec(), ['i-1'])
    assert not widen.should_retry(request, FULL)
    request.query = placement_query.AllocationCandidatesQuery(limit=1)
    request.candidates, _ = fakes.make_candidates(_hosts(1024))
    assert widen.should_retry(request, FULL)
    assert not widen.should_retry(request, 1)
    request.query.limit = None
    assert not widen.should_retry(request, FULL)
