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

"""Step ``diagnosis`` alone: what it asks Placement, and what it says."""

import logging
import threading

import pytest

from scheduler.cycle import candidates
from scheduler.cycle import diagnose
from scheduler.cycle import request as cycle_request
from scheduler import exception
from scheduler.placement import query as placement_query
from tests.unit.host_state import fakes as hs_fakes
from tests.unit.placement import fakes

AGG = '00000000-0000-0000-0000-0000000000a1'
ROOTS = ['00000000-0000-0000-0000-00000000000%d' % i for i in range(6)]


class MemoryShortPlacement:
    """Six hosts with CUSTOM_BIGMEM and 16 VCPU, none with 256 GiB free.

    Answers a query from its resources and traits only; ``fail``: the
    error every call with a limit of 1 raises.
    """

    def __init__(self, fail=None):
        self.asked = []
        self.request_ids = set()
        self.fail = fail
        self._lock = threading.Lock()

    def candidates(self, query, global_request_id=None):
        with self._lock:
            self.asked.append(query)
            self.request_ids.add(global_request_id)
        if self.fail is not None and query.limit == 1:
            raise self.fail
        asked = query.unsuffixed.resources
        fits = (asked.get('VCPU', 0) <= 16 and
                asked.get('MEMORY_MB', 0) <= 163840 and
                query.unsuffixed.required_traits <= {'CUSTOM_BIGMEM'})
        trees = [(root, {'VCPU': (16, 0),
                         'MEMORY_MB': (163840 + 1024 * i, 1024 * i)},
                  ['CUSTOM_BIGMEM']) for i, root in enumerate(ROOTS)]
        if not fits:
            trees = []
        return fakes.candidates(*trees[:query.limit or None])


def _request():
    query = placement_query.AllocationCandidatesQuery(limit=1000)
    query.unsuffixed.resources.update(VCPU=16, MEMORY_MB=262144)
    query.unsuffixed.required_traits.add('CUSTOM_BIGMEM')
    query.unsuffixed.member_of.append(frozenset({AGG}))
    request = cycle_request.Request(
        hs_fakes.make_spec(), ['i-1'],
        context={'global_request_id': 'req-42'})
    request.query = query
    return request


def test_blocking_memory_is_named_with_the_largest_free_amount(caplog):
    placement = MemoryShortPlacement()
    caplog.set_level(logging.INFO, logger='scheduler.cycle.diagnose')
    refusal = diagnose.no_candidates(_request(), placement,
                                     diagnose.Diagnoser(10, 1000))
    # What the providers do meet is summed up: Nova keeps 255 characters
    # of a fault's message.
    assert refusal.reason == (
        'Placement has no candidate for VCPU:16, MEMORY_MB:262144, '
        'required CUSTOM_BIGMEM, member of one of 1 aggregate: 6 providers '
        'meet every other constraint but none has MEMORY_MB:262144 free '
        '(largest free 163,840)')
    assert len('No valid host was found. ' + refusal.reason) <= 255
    # Four relaxed queries of one candidate, one follow-up of many.
    assert [q.limit for q in placement.asked] == [1, 1, 1, 1, 1000]
    assert placement.request_ids == {'req-42'}
    # The operator's line: once, at INFO, with the request id and the
    # query strings the caller does not see.
    (record,) = [r for r in caplog.records if 'req-42' in r.getMessage()]
    assert record.levelno == logging.INFO
    assert AGG in record.getMessage() and AGG not in refusal.reason
    assert 'relaxed MEMORY_MB:262144: ' in record.getMessage()
    assert refusal.detail == record.getMessage().split(
        'no valid host: ', 1)[1]


def test_the_budget_bounds_every_call_follow_up_included():
    placement = MemoryShortPlacement()
    refusal = diagnose.no_candidates(_request(), placement,
                                     diagnose.Diagnoser(2, 1000))
    # One relaxed query (VCPU, resources first), one kept back.
    assert len(placement.asked) == 1
    assert refusal.reason.endswith(
        'relaxing any one of the 1 constraint tried still leaves no '
        'candidate; 1 of 4 constraints tried '
        '([scheduler] diagnosis_max_queries)')


def test_no_budget_asks_nothing_and_describes_the_query():
    placement = MemoryShortPlacement()
    refusal = diagnose.no_candidates(_request(), placement,
                                     diagnose.Diagnoser(0, 1000))
    assert placement.asked == []
    assert refusal.reason == (
        'Placement has no candidate for VCPU:16, MEMORY_MB:262144, '
        'required CUSTOM_BIGMEM, member of one of 1 aggregate')


def test_placement_failing_during_diagnosis_leaves_the_refusal():
    placement = MemoryShortPlacement(
        fail=exception.PlacementServerError('answered 500'))
    refusal = diagnose.no_candidates(_request(), placement,
                                     diagnose.Diagnoser(10, 1000))
    assert isinstance(refusal, exception.NoValidHost)
    assert refusal.reason == (
        'Placement has no candidate for VCPU:16, MEMORY_MB:262144, '
        'required CUSTOM_BIGMEM, member of one of 1 aggregate (the '
        'diagnosis could not ask Placement)')
    assert 'failed: Placement server error: answered 500' in refusal.detail


def test_a_broken_diagnosis_is_logged_and_the_refusal_stands(caplog):
    class Broken(MemoryShortPlacement):
        def candidates(self, query, global_request_id=None):
            raise RuntimeError('bug')

    refusal = diagnose.no_candidates(_request(), Broken(),
                                     diagnose.Diagnoser(10, 1000))
    assert refusal.reason.startswith('Placement has no candidate for ')
    assert 'the Placement diagnosis failed' in caplog.text


def test_the_candidates_step_diagnoses_only_an_empty_answer():
    placement = MemoryShortPlacement()
    request = _request()
    request.query.unsuffixed.resources['MEMORY_MB'] = 1024
    found = candidates.fetch(request, placement, diagnose.Diagnoser(10, 10))
    assert len(found.allocation_requests) == 6
    assert len(placement.asked) == 1
    request.query.unsuffixed.resources['MEMORY_MB'] = 262144
    with pytest.raises(exception.NoValidHost):
        candidates.fetch(request, placement, diagnose.Diagnoser(10, 10))
    assert 'diagnosis' in request.timings


def test_a_recent_diagnosis_of_the_same_query_is_reused():
    placement = MemoryShortPlacement()
    now = [100.0]
    diagnoser = diagnose.Diagnoser(10, 1000, reuse_seconds=10.0,
                                   clock=lambda: now[0])
    first = diagnose.no_candidates(_request(), placement, diagnoser)
    asked = len(placement.asked)
    now[0] += 5.0
    again = diagnose.no_candidates(_request(), placement, diagnoser)
    # A burst against a full cloud costs Placement one diagnosis.
    assert len(placement.asked) == asked
    assert again.reason == first.reason
    assert 'the diagnosis of 5.0 s ago is reused' in again.detail
    now[0] += 6.0
    diagnose.no_candidates(_request(), placement, diagnoser)
    assert len(placement.asked) == 2 * asked


def test_a_refusal_beyond_the_concurrency_is_not_diagnosed():
    placement = MemoryShortPlacement()
    diagnoser = diagnose.Diagnoser(10, 1000, concurrency=1)
    # One diagnosis is running (its slot is taken).
    diagnoser._running.acquire()
    try:
        refusal = diagnose.no_candidates(_request(), placement, diagnoser)
    finally:
        diagnoser._running.release()
    assert placement.asked == []
    assert refusal.reason.endswith(
        '(not diagnosed: other diagnoses running)')
    assert 'diagnosis_concurrency reached' in refusal.detail
    # Free again: diagnosed.
    refusal = diagnose.no_candidates(_request(), placement, diagnoser)
    assert 'largest free' in refusal.reason


def test_a_diagnosis_is_reused_whatever_the_limit_of_the_query():
    # placement_results_per_instance gives the same request other
    # limits; an empty answer is empty at any of them.
    placement = MemoryShortPlacement()
    diagnoser = diagnose.Diagnoser(10, 1000, reuse_seconds=10.0,
                                   clock=lambda: 100.0)
    first = _request()
    first.query.limit = 20
    diagnose.no_candidates(first, placement, diagnoser)
    asked = len(placement.asked)
    again = _request()
    again.query.limit = 60
    refusal = diagnose.no_candidates(again, placement, diagnoser)
    assert len(placement.asked) == asked
    assert 'is reused' in refusal.detail
    assert again.query.limit == 60
