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

"""The dry runs on the operators' endpoint: admins only, nothing claimed."""

import numpy as np
import oslo_messaging
import pytest

from scheduler.drivers import filter_scheduler
from scheduler import exception
from scheduler import manager as scheduler_manager
from scheduler.rpc import admin
from scheduler.sim import writers
from tests.unit.drivers import fake_placement
from tests.unit.host_state import fakes

MEMBER = {'is_admin': False, 'roles': ['member'], 'project_id': 'p'}


@pytest.fixture
def endpoint():
    conf = fakes.make_conf()
    hosts = [dict(name='host-%d' % i) for i in range(3)]
    placement = fake_placement.FakePlacement(hosts)
    driver = filter_scheduler.FilterScheduler(
        conf=conf, placement=placement, rng=np.random.default_rng(0))
    manager = scheduler_manager.SchedulerManager(conf=conf, driver=driver)
    yield admin.AdminEndpoint(manager), placement
    manager.stop()


def _spec_obj():
    return writers.request_spec_to_primitive(fakes.make_spec())


def _refused_with(error_class, call, *args, **kwargs):
    # Expected: the server answers without logging a traceback.
    with pytest.raises(oslo_messaging.ExpectedException) as refused:
        call(*args, **kwargs)
    assert isinstance(refused.value.exc_info[1], error_class)
    return refused.value.exc_info[1]


def test_a_plan_is_refused_to_a_caller_without_admin_context(endpoint):
    endpoint, placement = endpoint
    _refused_with(admin.Forbidden, endpoint.plan_destinations, MEMBER,
                  _spec_obj(), 1)
    _refused_with(admin.Forbidden, endpoint.plan_capacity, MEMBER,
                  _spec_obj())
    assert placement.queries == []


def test_an_admin_plan_names_hosts_and_claims_nothing(endpoint):
    endpoint, placement = endpoint

    answer = endpoint.plan_destinations(admin.ADMIN_CONTEXT, _spec_obj(), 2,
                                        explain=True)

    assert answer['refused'] is None
    assert len(answer['instances']) == 2
    chosen = {choices[0]['host'] for choices in answer['instances']}
    assert len(chosen) == 2
    # The alternates are the host not chosen for either instance.
    for _, *alternates in answer['instances']:
        assert [a['host'] for a in alternates] == list(
            {'host-0', 'host-1', 'host-2'} - chosen)
    assert any(title.startswith('filter: ')
               for title, _ in answer['explanation'])
    assert placement.claim_calls == []


def test_an_admin_capacity_count_lists_the_top_hosts(endpoint):
    endpoint, placement = endpoint

    answer = endpoint.plan_capacity(admin.ADMIN_CONTEXT, _spec_obj(),
                                    max_per_host=4, top=2)

    assert answer['total'] == 12
    assert answer['hosts_with_room'] == 3 and len(answer['hosts']) == 2
    assert answer['stopped'] == 'per-host cap'
    assert placement.claim_calls == []


@pytest.mark.parametrize('kwargs, words', [
    ({'count': 0}, 'count must be >= 1, got 0'),
    ({'count': 'two'}, 'count must be an integer'),
])
def test_a_bad_plan_argument_is_an_invalid_request(endpoint, kwargs, words):
    endpoint, _ = endpoint
    error = _refused_with(exception.InvalidRequest,
                          endpoint.plan_destinations, admin.ADMIN_CONTEXT,
                          _spec_obj(), **kwargs)
    assert words in error.reason


def test_capacity_bounds_have_ceilings(endpoint):
    endpoint, _ = endpoint
    error = _refused_with(exception.InvalidRequest, endpoint.plan_capacity,
                          admin.ADMIN_CONTEXT, _spec_obj(), seconds=3600)
    assert 'seconds must be <= 300' in error.reason
