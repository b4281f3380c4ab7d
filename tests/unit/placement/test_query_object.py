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

"""The query as data: what request filters add, how it renders, versions."""

import pytest

from scheduler.placement import query as q


def _query():
    query = q.AllocationCandidatesQuery(limit=5)
    query.unsuffixed.resources.update(VCPU=1, MEMORY_MB=512)
    return query


def test_query_is_data_a_request_filter_can_extend():
    query = _query()
    query.unsuffixed.member_of.append(frozenset({'agg2', 'agg1'}))
    query.unsuffixed.member_of.append(frozenset({'agg3'}))
    query.unsuffixed.forbidden_aggregates.add('agg9')
    query.unsuffixed.in_tree = 'rp1'
    query.root_required.add('COMPUTE_NODE')
    assert query.to_params() == [
        ('resources', 'MEMORY_MB:512,VCPU:1'),
        ('member_of', 'in:agg1,agg2'),
        ('member_of', 'in:agg3'),
        ('member_of', '!in:agg9'),
        ('in_tree', 'rp1'),
        ('root_required', 'COMPUTE_NODE'),
        ('limit', '5'),
    ]
    assert str(query) == query.to_query_string()


def test_query_string_is_url_encoded_where_needed():
    query = q.AllocationCandidatesQuery(limit=1)
    query.unsuffixed.in_tree = 'a b&c'
    assert query.to_query_string() == 'in_tree=a+b%26c&limit=1'


def test_no_limit_renders_no_limit():
    query = _query()
    query.limit = None
    assert query.to_query_string() == 'resources=MEMORY_MB:512,VCPU:1'


def test_any_traits_render_as_repeated_required_in():
    query = _query()
    query.unsuffixed.required_traits.add('C')
    query.unsuffixed.any_traits.append(frozenset({'B', 'A'}))
    assert query.to_query_string() == (
        'resources=MEMORY_MB:512,VCPU:1&required=C&required=in:A,B&limit=5')


@pytest.mark.parametrize('change,version', [
    (lambda query: None, '1.36'),
    (lambda query: query.unsuffixed.forbidden_traits.add('X'), '1.36'),
    (lambda query: query.group('_NIC').resources.update(VF=1), '1.36'),
    (lambda query: query.same_subtree.append(['1', '2']), '1.36'),
    (lambda query: query.unsuffixed.any_traits.append(
        frozenset({'A', 'B'})), '1.39'),
])
def test_microversion_is_1_36_unless_a_feature_needs_more(change, version):
    query = _query()
    change(query)
    assert query.microversion == version


def test_features_name_versions_in_the_table():
    query = _query()
    query.group('1').resources['VGPU'] = 1
    query.group('_N').resources['VF'] = 1
    query.unsuffixed.forbidden_traits.add('X')
    query.unsuffixed.in_tree = 'rp'
    query.same_subtree.append(['1', '_N'])
    assert query.features() == {'forbidden_traits', 'granular_groups',
                                'string_suffixes', 'same_subtree',
                                'in_tree'}
