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

"""Decoding an answer from the last one gives what decoding it afresh does."""

import copy
import json

import hypothesis
from hypothesis import strategies as st
import msgspec
import pytest

from scheduler import exception
from scheduler.placement import candidates

ENDPOINT = 'http://127.0.0.1:8778'
RCS = ('VCPU', 'MEMORY_MB', 'DISK_GB')


def _provider(i, used=0):
    return 'rp-%04d' % i, {
        'resources': {rc: {'capacity': 64, 'used': used} for rc in RCS},
        'traits': ['COMPUTE_NODE'], 'parent_provider_uuid': None,
        'root_provider_uuid': 'rp-%04d' % i}


def _request(rp, vcpus=1):
    return {'allocations': {rp: {'resources': {'VCPU': vcpus}}},
            'mappings': {'': [rp]}}


def _answer(count):
    summaries = dict(_provider(i) for i in range(count))
    return {'allocation_requests': [_request(rp) for rp in summaries],
            'provider_summaries': summaries}


def _decode(plain, memory=None):
    return candidates.decode(json.dumps(plain).encode(), ENDPOINT, '/ac',
                             '1.36', memory=memory)


@st.composite
def _edit(draw, plain):
    """The next answer: ``plain`` with what claims and changes do."""
    plain = copy.deepcopy(plain)
    summaries = plain['provider_summaries']
    requests = plain['allocation_requests']
    kind = draw(st.sampled_from(['usage', 'drop', 'add', 'flavor', 'traits',
                                 'shuffle', 'same', 'child']))
    rps = list(summaries)
    if kind == 'usage' and rps:
        rp = draw(st.sampled_from(rps))
        for inventory in summaries[rp]['resources'].values():
            inventory['used'] += draw(st.integers(0, 4))
    elif kind == 'drop' and rps:
        rp = draw(st.sampled_from(rps))
        del summaries[rp]
        plain['allocation_requests'] = [
            r for r in requests if rp not in r['allocations']]
    elif kind == 'add':
        rp, summary = _provider(draw(st.integers(0, 60)),
                                used=draw(st.integers(0, 3)))
        at = draw(st.integers(0, len(rps)))
        items = list(summaries.items())
        items.insert(at, (rp, summary))
        plain['provider_summaries'] = dict(items)
        requests = [r for r in requests if rp not in r['allocations']]
        requests.insert(min(at, len(requests)), _request(rp))
        plain['allocation_requests'] = requests
    elif kind == 'flavor':
        vcpus = draw(st.integers(1, 3))
        for r in requests:
            for alloc in r['allocations'].values():
                alloc['resources']['VCPU'] = vcpus
    elif kind == 'traits' and rps:
        rp = draw(st.sampled_from(rps))
        summaries[rp]['traits'] = ['COMPUTE_NODE', 'HW_CPU_X86_AVX2']
    elif kind == 'shuffle':
        items = list(summaries.items())
        draw(st.randoms(use_true_random=False)).shuffle(items)
        plain['provider_summaries'] = dict(items)
    elif kind == 'child' and rps and requests:
        child = 'child-of-%s' % rps[0]
        summaries[child] = {
            'resources': {'CUSTOM_GPU': {'capacity': 2, 'used': 0}},
            'traits': [], 'parent_provider_uuid': rps[0],
            'root_provider_uuid': rps[0]}
        requests[0]['allocations'][child] = {
            'resources': {'CUSTOM_GPU': 1}}
    return plain


@hypothesis.settings(max_examples=80, deadline=None)
@hypothesis.given(st.data())
def test_an_answer_decoded_from_the_last_is_the_answer(data):
    memory = candidates.new_memory()
    plain = _answer(data.draw(st.integers(0, 12)))
    last = None
    for _ in range(data.draw(st.integers(1, 6))):
        typed = _decode(plain, memory)
        afresh = _decode(plain)
        assert typed.allocation_requests == afresh.allocation_requests
        assert list(typed.provider_summaries.items()) == list(
            afresh.provider_summaries.items())
        assert msgspec.to_builtins(typed.provider_summaries) == (
            plain['provider_summaries'])
        if last is not None:
            # What did not change is the last answer's very value.
            for rp, summary in typed.provider_summaries.items():
                before = last.provider_summaries.get(rp)
                if before == summary:
                    assert before is summary
        last = typed
        plain = data.draw(_edit(plain))


def test_an_unchanged_answer_is_the_last_one():
    memory = candidates.new_memory()
    plain = _answer(3)
    first = _decode(plain, memory)
    plain['provider_summaries']['rp-0001']['resources']['VCPU']['used'] = 5
    second = _decode(plain, memory)
    assert second.allocation_requests is not first.allocation_requests
    assert all(a is b for a, b in zip(second.allocation_requests,
                                      first.allocation_requests))
    summaries = second.provider_summaries
    assert summaries['rp-0000'] is first.provider_summaries['rp-0000']
    assert summaries['rp-0001'].resources['VCPU'].used == 5
    assert first.provider_summaries['rp-0001'].resources['VCPU'].used == 0
    assert _decode(plain, memory).provider_summaries is summaries


def test_a_part_out_of_shape_is_refused_and_named():
    memory = candidates.new_memory()
    plain = _answer(2)
    _decode(plain, memory)
    plain['provider_summaries']['rp-0001']['resources']['VCPU'][
        'used'] = 'many'
    with pytest.raises(exception.PlacementBadResponse) as e:
        _decode(plain, memory)
    assert 'provider_summaries[rp-0001]' in str(e.value.reason)
    plain = _answer(2)
    plain['allocation_requests'][1]['allocations'] = []
    with pytest.raises(exception.PlacementBadResponse) as e:
        _decode(plain, memory)
    assert 'allocation_requests[1]' in str(e.value.reason)
    with pytest.raises(exception.PlacementBadResponse):
        _decode({'allocation_requests': {}}, memory)
    with pytest.raises(exception.PlacementBadResponse):
        candidates.decode(b'{"allocation', ENDPOINT, '/ac', '1.36',
                          memory=memory)


def test_a_refused_answer_is_not_remembered():
    memory = candidates.new_memory()
    plain = _answer(2)
    plain['allocation_requests'][1] = _request('rp-gone')
    for _ in range(2):
        # Refused again: its requests were never taken as checked.
        with pytest.raises(exception.PlacementBadResponse) as e:
            _decode(plain, memory)
        assert 'rp-gone' in str(e.value.reason)


def _request_changed(plain):
    plain['allocation_requests'][0] = _request('rp-gone')
    return 'rp-gone'


def _summary_gone(plain):
    # The same requests: the unchanged one on the missing provider too.
    del plain['provider_summaries']['rp-0001']
    return 'rp-0001'


@pytest.mark.parametrize('change', [_request_changed, _summary_gone])
def test_requests_are_checked_again_where_the_answer_changed(change):
    memory = candidates.new_memory()
    plain = _answer(2)
    _decode(plain, memory)
    missing = change(plain)
    with pytest.raises(exception.PlacementBadResponse) as e:
        _decode(plain, memory)
    assert missing in str(e.value.reason)


def _flavor(plain, vcpus):
    plain = copy.deepcopy(plain)
    for request in plain['allocation_requests']:
        for allocation in request['allocations'].values():
            allocation['resources']['VCPU'] = vcpus
    return plain


@pytest.mark.parametrize('size, kept', [(4, True), (1, False), (0, False)])
def test_the_last_answer_is_kept_per_query(size, kept):
    memory = candidates.new_memory(size)
    small, large = _answer(3), _flavor(_answer(3), 4)

    def decode(plain, query):
        return candidates.decode(json.dumps(plain).encode(), ENDPOINT,
                                 '/ac', '1.36', query, memory=memory)

    first = decode(small, 'VCPU:1')
    decode(large, 'VCPU:4')
    again = decode(small, 'VCPU:1')
    assert again.allocation_requests == first.allocation_requests
    assert all((a is b) == kept for a, b in zip(
        again.allocation_requests, first.allocation_requests))
    assert (again.summaries_since is not None) == kept
