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

"""GET /allocation_candidates: version gate and answer shape."""

import json

import hypothesis
from hypothesis import strategies as st
import msgspec
import pytest

from scheduler import exception
from scheduler.placement import candidates
from scheduler.placement import client as placement_client
from scheduler.placement import query as q
from tests.unit.placement import fakes

ENDPOINT = 'http://placement.test:8778'
ROOT = {'versions': [{'id': 'v1.0', 'max_version': '1.39',
                      'min_version': '1.0', 'status': 'CURRENT'}]}


@pytest.fixture
def client():
    return placement_client.PlacementClient(fakes.make_conf(ENDPOINT))


def _query():
    query = q.AllocationCandidatesQuery(limit=3)
    query.unsuffixed.resources['VCPU'] = 1
    return query


def test_candidates_are_asked_at_the_query_microversion(
        client, requests_mock):
    requests_mock.get(ENDPOINT + '/', json=ROOT)
    requests_mock.get(ENDPOINT + '/allocation_candidates', json={
        'allocation_requests': [], 'provider_summaries': {}})
    cands = candidates.get_allocation_candidates(client, _query())
    sent = requests_mock.last_request
    assert sent.headers['OpenStack-API-Version'] == 'placement 1.36'
    assert sent.url == (ENDPOINT +
                        '/allocation_candidates?resources=VCPU:1&limit=3')
    assert cands.version == '1.36'
    assert cands.query == 'resources=VCPU:1&limit=3'
    assert len(cands) == 0


def test_old_placement_fails_candidates_naming_the_needed_version(
        client, requests_mock):
    requests_mock.get(ENDPOINT + '/', json={'versions': [
        {'max_version': '1.30'}]})
    query = q.AllocationCandidatesQuery(limit=1)
    query.unsuffixed.resources['VCPU'] = 1
    with pytest.raises(exception.PlacementTooOld) as ctx:
        candidates.get_allocation_candidates(client, query)
    assert 'supports microversions up to 1.30' in ctx.value.reason
    assert 'needs allocation candidates with mappings (1.36)' in (
        ctx.value.reason)
    assert requests_mock.call_count == 1  # never asked for candidates


@pytest.mark.parametrize('body,words', [
    ({'allocation_requests': []},
     'missing required field `provider_summaries`'),
    ({'provider_summaries': {}},
     'missing required field `allocation_requests`'),
    ({'allocation_requests': [{'x': 1}], 'provider_summaries': {}},
     'missing required field `allocations` - at `$.allocation_requests[0]`'),
    ({'allocation_requests': [{'allocations': {'rp1': {}}}],
      'provider_summaries': {}}, 'missing from provider_summaries: rp1'),
    ({'allocation_requests': [['rp1']], 'provider_summaries': {}},
     'Expected `object`, got `array` - at `$.allocation_requests[0]`'),
    ({'allocation_requests': [{'allocations': ['rp1']}],
      'provider_summaries': {}},
     'got `array` - at `$.allocation_requests[0].allocations`'),
    ({'allocation_requests': [], 'provider_summaries': {'rp1': []}},
     'Expected `object`, got `array` - at `$.provider_summaries[...]`'),
    ({'allocation_requests': [], 'provider_summaries': {
        'rp1': {'resources': {'VCPU': {'capacity': 'x', 'used': 0}}}}},
     'Expected `int`, got `str` - at '
     '`$.provider_summaries[...].resources[...].capacity`'),
    ('not an object', 'Expected `object`, got `str`'),
])
def test_candidates_of_unexpected_shape_are_a_bad_response(
        client, requests_mock, body, words):
    requests_mock.get(ENDPOINT + '/', json=ROOT)
    requests_mock.get(ENDPOINT + '/allocation_candidates', json=body)
    query = q.AllocationCandidatesQuery(limit=1)
    with pytest.raises(exception.PlacementBadResponse) as ctx:
        candidates.get_allocation_candidates(client, query)
    assert words in ctx.value.reason


def _plain_answer(draw):
    rps = ['rp-%d' % i for i in range(draw(st.integers(0, 8)))]
    summaries = {
        rp: {'resources': {rc: {'capacity': draw(st.integers(0, 10 ** 6)),
                                'used': draw(st.integers(0, 10 ** 6))}
                           for rc in draw(st.lists(st.sampled_from(
                               ['VCPU', 'MEMORY_MB', 'DISK_GB',
                                'CUSTOM_GPU']), unique=True))},
             'traits': draw(st.lists(st.sampled_from(
                 ['COMPUTE_NODE', 'HW_CPU_X86_AVX2']), unique=True)),
             'parent_provider_uuid': None, 'root_provider_uuid': rp}
        for rp in rps}
    requests = [
        {'allocations': {rp: {'resources': {'VCPU': draw(
            st.integers(1, 64))}} for rp in draw(st.lists(
                st.sampled_from(rps), min_size=1, unique=True))},
         'mappings': {'': [rp]}}
        for rp in (rps if rps else [])]
    return {'allocation_requests': requests, 'provider_summaries': summaries}


@hypothesis.settings(max_examples=60, deadline=None)
@hypothesis.given(st.data())
def test_the_typed_answer_holds_what_the_plain_one_does(data):
    plain = _plain_answer(data.draw)
    raw = json.dumps(plain).encode()
    typed = candidates.decode(raw, ENDPOINT, '/allocation_candidates',
                              '1.36')
    assert typed.allocation_requests == plain['allocation_requests']
    assert msgspec.to_builtins(typed.provider_summaries) == (
        plain['provider_summaries'])
    converted = candidates.from_body(plain, ENDPOINT, '', '1.36')
    assert converted.provider_summaries == typed.provider_summaries


def test_fields_placement_adds_later_are_ignored_not_refused():
    raw = json.dumps({
        'allocation_requests': [{'allocations': {'rp1': {'resources': {
            'VCPU': 1}}}, 'mappings': {'': ['rp1']}, 'new': 1}],
        'provider_summaries': {'rp1': {'resources': {'VCPU': {
            'capacity': 4, 'used': 1, 'reserved': 0}}, 'name': 'cn1',
            'traits': [], 'root_provider_uuid': 'rp1'}}}).encode()
    typed = candidates.decode(raw, ENDPOINT, '', '1.36')
    assert typed.provider_summaries['rp1'].resources['VCPU'] == (
        candidates.Inventory(capacity=4, used=1))
    assert typed.allocation_requests == [
        {'allocations': {'rp1': {'resources': {'VCPU': 1}}},
         'mappings': {'': ['rp1']}}]
