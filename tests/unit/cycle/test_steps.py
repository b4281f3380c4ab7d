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

"""Each step of the cycle run alone on a ``Request``."""

import numpy as np
import pytest

from scheduler.cycle import candidates
from scheduler.cycle import claim
from scheduler.cycle import filter as filter_step
from scheduler.cycle import host_states
from scheduler.cycle import query
from scheduler.cycle import request as cycle_request
from scheduler.cycle import select
from scheduler.drivers import releases
from scheduler import exception
from scheduler.filters import handler as filter_handler
from tests.unit.drivers import fake_placement
from tests.unit.host_state import fakes


def _hosts(*free_mb):
    return [dict(name='host-%d' % i,
                 capacity={'VCPU': 64, 'MEMORY_MB': mb, 'DISK_GB': 1000})
            for i, mb in enumerate(free_mb)]


def _built(placement, spec=None, uuids=None, **kwargs):
    """A request through query, candidates and host states."""
    request = cycle_request.Request(spec or fakes.make_spec(), uuids,
                                    **kwargs)
    query.build(request, placement)
    candidates.fetch(request, placement)
    host_states.build(request, placement, None, fakes.make_conf())
    return request


def test_a_request_counts_its_instances_and_names_their_consumers():
    legacy = cycle_request.Request(fakes.make_spec(num_instances=3))
    assert (legacy.count, legacy.consumer(2)) == (3, None)
    claimed = cycle_request.Request(fakes.make_spec(), ['a', 'b'],
                                    context={'request_id': 'req-1'})
    assert (claimed.count, claimed.consumer(1)) == (2, 'b')
    assert claimed.request_id == 'req-1'


def test_each_step_adds_its_time_and_the_last_one_run_is_known():
    request = _built(fake_placement.FakePlacement(_hosts(2048)))
    assert list(request.timings) == ['query', 'candidates', 'host states']
    assert request.step == 'host states'
    assert 'candidates ' in request.timings_text()


def test_candidates_calls_back_once_placement_offered_some():
    told = []
    request = _built(fake_placement.FakePlacement(_hosts(2048)),
                     on_candidates=lambda: told.append(True))
    assert told == [True] and request.version is not None


def test_the_filter_step_keeps_hosts_full_since_an_earlier_instance():
    # The fake's allocation requests take 1024 MB: one instance each.
    placement = fake_placement.FakePlacement(_hosts(1024, 1024))
    request = _built(placement, uuids=['a', 'b'])
    filters = filter_handler.FilterHandler(fakes.make_conf(), filters=[])
    assert list(filter_step.run(request, filters, 0)) == [0, 1]
    request.host_set.consume(0, request.host_set.hosts[0].fitting_request())
    assert list(filter_step.run(request, filters, 1)) == [1]
    # Host 0 passed for instance 1 and is full now: still counted.
    assert list(request.eligible) == [True, True]
    request.host_set.consume(1, request.host_set.hosts[1].fitting_request())
    with pytest.raises(exception.NoValidHost) as e:
        filter_step.run(request, filters, 1)
    assert 'instance 2 of 2' in e.value.reason
    assert 'resources taken by earlier instances 2->0' in e.value.reason


def test_a_claim_placement_may_have_written_is_undone_with_the_others():
    placement = fake_placement.FakePlacement(_hosts(2048, 8192))
    placement.fail_claim = {1: exception.PlacementTimeout('no answer')}
    request = _built(placement, uuids=['a', 'b'])
    claim.claim(request, placement, [1, 0], 0, max_conflicts=3)
    with pytest.raises(exception.PlacementTimeout):
        claim.claim(request, placement, [0], 1, max_conflicts=3)
    assert [c.consumer for c in request.claimed] == ['a', 'b']
    deferred = releases.DeferredReleases(placement, 60, 3)
    claim.undo(request, placement, deferred)
    assert placement.released == ['a', 'b'] and not placement.claims


def test_a_conflict_moves_the_claim_to_the_next_ranked_host():
    placement = fake_placement.FakePlacement(_hosts(2048, 8192))
    placement.refuse = {'host-1'}
    request = _built(placement, uuids=['a'])
    claimed = claim.claim(request, placement, [1, 0], 0, max_conflicts=3)
    assert claimed.index == 0 and placement.claims['a'][0] == 'host-0'
    assert bool(request.host_set.placed[0])


def test_alternates_follow_the_last_order_and_skip_chosen_hosts():
    placement = fake_placement.FakePlacement(_hosts(2048, 4096, 8192))
    request = _built(placement, uuids=['a'], return_alternates=True)
    filters = filter_handler.FilterHandler(fakes.make_conf(), filters=[])
    claim.claim(request, placement, [2, 0, 1], 0, max_conflicts=3)
    request.order = np.array([2, 0, 1])
    (choices,) = select.selections(request, filters, max_attempts=2)
    assert [s.service_host for s in choices] == ['host-2', 'host-0']
    assert choices[0].allocation_request is not None
