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

"""The fast decoder gives what the standard one gives, or defers to it."""

import json

import pytest

from scheduler.placement import decoding


def _answer(providers):
    """An allocation_candidates answer, as Placement 1.36 writes it."""
    rps = ['%08d-0000-4000-8000-000000000000' % i for i in range(providers)]
    return {
        'allocation_requests': [
            {'allocations': {rp: {'resources': {'VCPU': 1,
                                                'MEMORY_MB': 1024}}},
             'mappings': {'': [rp]}} for rp in rps],
        'provider_summaries': {
            rp: {'resources': {'VCPU': {'capacity': 64, 'used': i},
                               'MEMORY_MB': {'capacity': 131072,
                                             'used': 0.0}},
                 'traits': ['COMPUTE_NODE', 'HW_CPU_X86_AVX2'],
                 'parent_provider_uuid': None,
                 'root_provider_uuid': rp, 'name': 'cn-\u00e9%d' % i}
            for i, rp in enumerate(rps)}}


def test_a_placement_answer_decodes_to_the_same_values():
    raw = json.dumps(_answer(50)).encode()
    decoded = decoding.loads(raw)
    assert decoded == json.loads(raw)
    # Same kinds too: an integer stays an int, a float a float.
    summary = next(iter(decoded['provider_summaries'].values()))
    assert type(summary['resources']['VCPU']['used']) is int
    assert type(summary['resources']['MEMORY_MB']['used']) is float


def test_an_integer_beyond_64_bits_is_decoded_not_refused():
    raw = b'{"total": 184467440737095516160}'
    assert decoding.loads(raw) == {'total': 184467440737095516160}


@pytest.mark.parametrize('raw', [b'{"a": ', b'<html>502</html>', b''])
def test_what_is_not_json_is_a_value_error(raw):
    with pytest.raises(ValueError):
        decoding.loads(raw)
