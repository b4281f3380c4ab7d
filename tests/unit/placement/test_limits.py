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

"""The limit of a query: scaled to the request, and who may scale it."""

import logging

import pytest

from scheduler.objects import request_spec as rs
from scheduler.placement import adapter as placement_adapter
from scheduler.placement import candidates as placement_candidates
from scheduler.placement import limits
from scheduler.placement import query as q
from tests.unit.placement import fakes


@pytest.mark.parametrize('full, per_instance, count, expected', [
    (1000, 0, 5, 1000),      # off: Nova's limit
    (1000, 20, 1, 20),
    (1000, 20, 3, 60),
    (1000, 20, 0, 20),       # at least one instance
    (1000, 300, 4, 1000),    # never above max_placement_results
    (50, 20, 3, 50),
])
def test_scaled(full, per_instance, count, expected):
    assert limits.scaled(full, per_instance, count) == expected


@pytest.mark.parametrize('num_instances, expected', [
    (1, 1), (7, 7), (0, 1), (None, 1), (-2, 1)])
def test_instance_count(num_instances, expected):
    spec = _spec()
    spec.num_instances = num_instances
    assert limits.instance_count(spec) == expected


def test_is_reduced():
    assert limits.is_reduced(20, 1000)
    assert not limits.is_reduced(1000, 1000)
    assert not limits.is_reduced(None, 1000)


def _answer(n):
    return placement_candidates.Candidates(
        [{'allocations': {'rp-%d' % i: {'resources': {}}}}
         for i in range(n)], {}, '1.36')


@pytest.mark.parametrize('limit, offered, expected', [
    (20, 20, True),    # Placement may hold more
    (20, 7, False),    # every candidate there is
    (20, 0, False),    # empty at any limit
    (None, 50, False),
])
def test_reached(limit, offered, expected):
    query = q.AllocationCandidatesQuery(limit=limit)
    assert limits.reached(query, _answer(offered)) is expected


def _adapter(widens, **overrides):
    conf = fakes.make_conf('http://placement.invalid')
    for name, value in overrides.items():
        conf.set_override(name, value, group='scheduler')
    return placement_adapter.PlacementAdapter(conf, client=object(),
                                              widens=widens)


def _spec(num_instances=1, **fields):
    return rs.RequestSpec(
        flavor=rs.Flavor(vcpus=1, memory_mb=512, root_gb=1, name='tiny'),
        project_id='p', num_instances=num_instances, **fields)


def test_limit_is_max_placement_results_by_default():
    adapter = _adapter(widens=True)
    assert adapter.query(_spec(num_instances=5)).limit == 1000


def test_limit_scales_with_the_instances_requested():
    adapter = _adapter(widens=True, placement_results_per_instance=20)
    assert adapter.query(_spec()).limit == 20
    assert adapter.query(_spec(num_instances=3)).to_query_string().endswith(
        '&limit=60')
    assert adapter.query(_spec(num_instances=200)).limit == 1000


def test_scaled_limit_stays_below_a_smaller_max():
    adapter = _adapter(widens=True, placement_results_per_instance=20,
                       max_placement_results=30)
    assert adapter.query(_spec(num_instances=2)).limit == 30


def test_host_without_node_still_asks_without_limit():
    adapter = _adapter(widens=True, placement_results_per_instance=20)
    assert adapter.query(_spec(force_hosts=['host-1'])).limit is None


def test_caller_that_cannot_widen_keeps_the_full_limit(caplog):
    adapter = _adapter(widens=False, placement_results_per_instance=20)
    with caplog.at_level(logging.WARNING):
        assert adapter.query(_spec()).limit == 1000
        assert adapter.query(_spec(num_instances=2)).limit == 1000
    warnings = [r for r in caplog.records
                if 'placement_results_per_instance' in r.getMessage()]
    assert len(warnings) == 1
