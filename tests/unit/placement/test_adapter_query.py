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

"""PlacementAdapter.query and candidates: refusals, in_tree, versions."""

import logging

import pytest

from scheduler import exception
from scheduler.filters import explain
from scheduler.objects import request_spec as rs
from scheduler.placement import adapter as placement_adapter
from scheduler.placement import query as q
from tests.fixtures import placement_writes
from tests.unit.placement import fakes


class NoCallClient:
    """A Placement client that fails the test if it is called."""

    endpoint = 'http://placement.invalid'
    calls = []

    def __getattr__(self, name):
        def call(*args, **kwargs):
            self.calls.append(name)
            raise AssertionError('Placement was called: %s' % name)
        return call


class VersionClient(NoCallClient):
    def __init__(self, max_version):
        self._max = max_version

    def max_version(self):
        return self._max


def _conf(endpoint='http://placement.invalid'):
    return fakes.make_conf(endpoint)


def _spec(extra_specs=None, **kwargs):
    return rs.RequestSpec(
        flavor=rs.Flavor(vcpus=1, memory_mb=512, root_gb=1, name='tiny',
                         extra_specs=extra_specs or {}),
        project_id='p', **kwargs)


def test_malformed_extra_spec_is_no_valid_host_before_placement():
    adapter = placement_adapter.PlacementAdapter(_conf(), NoCallClient())
    with pytest.raises(exception.NoValidHost) as ctx:
        adapter.query(_spec({'resources:VCPU': 'lots'}))
    assert ctx.value.reason == (
        'invalid request: extra spec resources:VCPU=lots: a resource amount '
        'must be an integer from 0 to 2147483647')


def test_query_runs_request_filters_and_logs_exact_string(caplog):
    adapter = placement_adapter.PlacementAdapter(_conf(), NoCallClient())
    with caplog.at_level(logging.DEBUG):
        query = adapter.query(_spec())
    expected = ('resources=DISK_GB:1,MEMORY_MB:512,VCPU:1'
                '&root_required=!COMPUTE_STATUS_DISABLED&limit=1000')
    assert query.to_query_string() == expected
    assert ('Allocation candidates query at 1.36 for flavor tiny: '
            + expected) in caplog.text


def test_explain_listeners_see_the_exact_query():
    seen = []

    def listener(title, lines):
        seen.append((title, lines))

    explainer = explain.Explainer()
    explainer.add_listener(listener)
    placement_adapter.PlacementAdapter(
        _conf(), NoCallClient(), explainer=explainer).query(
            _spec({'trait:CUSTOM_GOLD': 'required'}))
    assert seen == [('Placement query for flavor tiny (microversion 1.36)',
                     ['resources=DISK_GB:1,MEMORY_MB:512,VCPU:1'
                      '&required=CUSTOM_GOLD'
                      '&root_required=!COMPUTE_STATUS_DISABLED&limit=1000'])]


def test_filter_refusal_is_no_valid_host_before_placement():
    conf = _conf()
    conf.set_override('limit_tenants_to_placement_aggregate', True,
                      group='scheduler')
    adapter = placement_adapter.PlacementAdapter(conf, NoCallClient())
    with pytest.raises(exception.NoValidHost) as ctx:
        adapter.query(_spec(), host_facts=None)
    assert 'TenantAggregateFilter: needs aggregate metadata' in (
        ctx.value.reason)


def test_a_host_without_node_lifts_the_limit():
    adapter = placement_adapter.PlacementAdapter(_conf(), NoCallClient())
    query = adapter.query(_spec(force_hosts=['cn1']))
    assert query.limit is None


def _any_traits_query():
    query = q.AllocationCandidatesQuery(limit=1)
    query.unsuffixed.resources['VCPU'] = 1
    query.unsuffixed.any_traits.append(frozenset({'CUSTOM_A', 'CUSTOM_B'}))
    return query


@pytest.mark.parametrize('server,needs', [
    ((1, 38), 'any_traits (1.39)'),
    ((1, 33), 'allocation candidates with mappings (1.36), '
              'any_traits (1.39)'),
])
def test_query_needing_a_newer_server_names_the_feature(server, needs):
    adapter = placement_adapter.PlacementAdapter(_conf(),
                                                 VersionClient(server))
    with pytest.raises(exception.PlacementTooOld) as ctx:
        adapter.candidates(_any_traits_query())
    assert ctx.value.reason.endswith(
        'supports microversions up to %d.%d; this request needs %s'
        % (server + (needs,)))


def test_requested_node_becomes_in_tree(placement, client):
    node = placement_writes.create_provider(client, 'node-1')
    adapter = placement_adapter.PlacementAdapter(
        _conf(placement.endpoint), client)
    dest = rs.Destination(host='cn1', node='node-1')
    query = adapter.query(_spec(requested_destination=dest))
    assert query.unsuffixed.in_tree == node
    assert query.limit == 1000


def test_unknown_requested_node_is_no_valid_host(placement, client):
    adapter = placement_adapter.PlacementAdapter(
        _conf(placement.endpoint), client)
    with pytest.raises(exception.NoValidHost) as ctx:
        adapter.query(_spec(force_nodes=['ghost']))
    assert ctx.value.reason == (
        'No such host - the 1 requested node has no resource provider in '
        'Placement')
    assert 'ghost' in ctx.value.detail
