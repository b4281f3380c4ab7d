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

"""Which constraints a diagnosis relaxes, and the words it says: plain data.

Each relaxation case reads: the query's constraint, the query string
Placement is asked instead.
"""

import pytest

from scheduler.placement import diagnosis
from scheduler.placement import diagnosis_text as text
from scheduler.placement import query as placement_query
from tests.unit.placement import fakes

AGG = '00000000-0000-0000-0000-0000000000a1'
RP = '00000000-0000-0000-0000-0000000000b1'
C = diagnosis.Constraint


def _query(**resources):
    query = placement_query.AllocationCandidatesQuery(limit=1000)
    query.unsuffixed.resources.update(resources or {'VCPU': 16,
                                                    'MEMORY_MB': 262144})
    return query


def _bigmem():
    query = _query()
    query.unsuffixed.required_traits.add('CUSTOM_BIGMEM')
    return query


def _everything():
    query = _query()
    base = query.unsuffixed
    base.required_traits.add('CUSTOM_BIGMEM')
    base.forbidden_traits.add('CUSTOM_SLOW')
    base.any_traits.append(frozenset({'CUSTOM_A', 'CUSTOM_B'}))
    base.member_of.append(frozenset({AGG}))
    base.forbidden_aggregates.add(AGG)
    base.in_tree = RP
    query.group('1').resources['SRIOV_NET_VF'] = 2
    query.group('2').resources['SRIOV_NET_VF'] = 1
    query.group_policy = 'isolate'
    query.root_required.add('HW_CPU_X86_AVX2')
    query.root_forbidden.add('COMPUTE_STATUS_DISABLED')
    query.same_subtree.append(['1', '2'])
    return query


def test_constraints_put_resources_first_then_traits_aggregates_shape():
    kinds = [c.kind for c in diagnosis.constraints(_everything())]
    assert kinds == ['resource', 'resource', 'resource', 'resource',
                     'required', 'any_of', 'forbidden', 'root_required',
                     'root_forbidden', 'member_of', 'forbidden_aggregates',
                     'in_tree', 'same_subtree', 'group_policy']


def test_plan_keeps_one_query_for_the_follow_up_when_short_of_budget():
    to_ask, total = diagnosis.plan(_everything(), 5)
    assert total == 14
    assert [c.value for c in to_ask] == ['VCPU', 'MEMORY_MB',
                                         'SRIOV_NET_VF', 'SRIOV_NET_VF']


def test_plan_asks_every_constraint_when_the_budget_allows():
    to_ask, total = diagnosis.plan(_bigmem(), 10)
    assert (len(to_ask), total) == (3, 3)


def test_plan_with_no_budget_asks_nothing():
    assert diagnosis.plan(_bigmem(), 0) == ([], 3)


@pytest.mark.parametrize('constraint, expected', [
    (C('resource', '', 'VCPU', 16), 'resources=MEMORY_MB:262144'),
    (C('required', '', 'CUSTOM_BIGMEM'),
     'resources=MEMORY_MB:262144,VCPU:16'),
    # A group's only resource goes down to one unit: a group without
    # resources is refused unless same_subtree names it.
    (C('resource', '1', 'SRIOV_NET_VF', 4),
     'resources=VCPU:16&resources1=SRIOV_NET_VF:1&group_policy=isolate'),
])
def test_relaxed_query_drops_one_constraint_and_asks_for_one(constraint,
                                                             expected):
    query = _query(VCPU=16, MEMORY_MB=262144)
    if constraint.kind == 'required':
        query.unsuffixed.required_traits.add('CUSTOM_BIGMEM')
    if constraint.suffix == '1':
        query = _query(VCPU=16)
        query.group('1').resources['SRIOV_NET_VF'] = 4
        query.group_policy = 'isolate'
    relaxed = diagnosis.relax(query, constraint, 1)
    assert relaxed.to_query_string() == expected + '&limit=1'
    # The query itself is left as it was.
    assert query.limit == 1000


@pytest.mark.parametrize('kind, gone', [
    ('forbidden', '!CUSTOM_SLOW'),
    ('any_of', 'in:CUSTOM_A,CUSTOM_B'),
    ('member_of', 'member_of=in:'),
    ('forbidden_aggregates', 'member_of=!in:'),
    ('in_tree', 'in_tree='),
    ('root_required', 'HW_CPU_X86_AVX2'),
    ('root_forbidden', '!COMPUTE_STATUS_DISABLED'),
    ('same_subtree', 'same_subtree='),
    ('group_policy', 'group_policy=isolate'),
])
def test_each_kind_of_constraint_can_be_relaxed(kind, gone):
    query = _everything()
    (constraint,) = [c for c in diagnosis.constraints(query)
                     if c.kind == kind]
    assert gone in query.to_query_string()
    relaxed = diagnosis.relax(query, constraint, 1)
    assert gone not in relaxed.to_query_string()
    # Nothing else changed.
    assert relaxed.unsuffixed.resources == query.unsuffixed.resources
    assert relaxed.unsuffixed.required_traits == {'CUSTOM_BIGMEM'}


def test_a_lone_resource_of_one_unit_is_not_relaxed():
    query = _query(VCPU=1)
    assert diagnosis.constraints(query) == []


def test_room_is_capacity_minus_used_of_the_best_provider():
    answer = fakes.candidates(('a', {'MEMORY_MB': (163840, 0)}, ()),
                              ('b', {'MEMORY_MB': (262144, 200000)}, ()),
                              ('c', {'VCPU': (64, 0)}, ()))
    room = diagnosis.room(answer, 'MEMORY_MB')
    assert (room.providers, room.largest_free) == (2, 163840)
    assert diagnosis.count_hosts(answer, 1000) == (3, False)
    assert diagnosis.count_hosts(answer, 3) == (3, True)


def test_sharing_providers_give_room_but_are_not_hosts():
    answer = fakes.candidates(('cn', {'VCPU': (8, 0)}, ()),
                              ('ss', {'DISK_GB': (900, 100)},
                               ('MISC_SHARES_VIA_AGGREGATE',)))
    assert diagnosis.count_hosts(answer, 10) == (1, False)
    assert diagnosis.room(answer, 'DISK_GB').largest_free == 800


def test_room_says_so_when_no_provider_has_the_class():
    answer = fakes.candidates(('a', {'VCPU': (8, 0)}, ()))
    assert diagnosis.room(answer, 'PCPU').largest_free is None


# -- the words


def _finding(constraint, hosts=None, room=None, truncated=False):
    return text.Finding(constraint, hosts=hosts, truncated=truncated,
                        room=room)


def test_blocking_resource_reads_as_in_the_issue():
    query = _bigmem()
    finding = _finding(C('resource', '', 'MEMORY_MB', 262144), hosts=6,
                       room=diagnosis.Room(providers=6,
                                           largest_free=163840))
    assert text.reason(query, [finding], 3, 3) == (
        'Placement has no candidate for VCPU:16, MEMORY_MB:262144, '
        'required CUSTOM_BIGMEM: 6 providers have CUSTOM_BIGMEM and room '
        'for VCPU:16 but none has MEMORY_MB:262144 free (largest free '
        '163,840)')


def test_free_enough_but_refused_points_at_max_unit():
    finding = _finding(C('resource', '', 'MEMORY_MB', 262144), hosts=2,
                       room=diagnosis.Room(providers=2,
                                           largest_free=300000))
    assert text.blocked(finding) == (
        'none takes MEMORY_MB:262144 (largest free 300,000; its max_unit '
        'or step_size does not allow it)')


def test_no_provider_with_the_class_says_none_has_any():
    finding = _finding(C('resource', '', 'PCPU', 4), hosts=3,
                       room=diagnosis.Room(providers=0, largest_free=None))
    assert text.blocked(finding) == 'none has any PCPU'


def test_aggregates_and_trees_are_counted_never_named():
    query = _everything()
    words = text.describe(query)
    assert AGG not in words and RP not in words
    assert 'member of one of 1 aggregate' in words
    assert 'in the requested provider tree' in words
    finding = _finding(C('member_of', '', frozenset({AGG})), hosts=4)
    reason = text.reason(query, [finding], 14, 14)
    assert AGG not in reason and RP not in reason
    assert reason.endswith('but none is in the requested aggregates (1)')


def test_disabled_hosts_are_called_disabled():
    query = _query(VCPU=1, MEMORY_MB=512)
    query.root_forbidden.add('COMPUTE_STATUS_DISABLED')
    finding = _finding(C('root_forbidden', None, 'COMPUTE_STATUS_DISABLED'),
                       hosts=1)
    # Every query forbids it: named only when it is what blocks.
    assert text.reason(query, [finding], 3, 3) == (
        'Placement has no candidate for VCPU:1, MEMORY_MB:512: 1 provider '
        'has room for VCPU:1, MEMORY_MB:512 but each is disabled '
        '(COMPUTE_STATUS_DISABLED)')
    assert text.describe(query) == 'VCPU:1, MEMORY_MB:512'


def test_several_blocking_constraints_are_each_named():
    query = _bigmem()
    findings = [_finding(C('resource', '', 'VCPU', 16)),
                _finding(C('required', '', 'CUSTOM_BIGMEM'), hosts=2,
                         truncated=True)]
    assert text.reason(query, findings, 3, 3) == (
        'Placement has no candidate for VCPU:16, MEMORY_MB:262144, '
        'required CUSTOM_BIGMEM: no provider meets all of them; without '
        'VCPU:16, some providers qualify (none has VCPU:16 free); without '
        'required CUSTOM_BIGMEM, at least 2 providers qualify (none has '
        'CUSTOM_BIGMEM)')


def test_nothing_found_within_budget_says_how_many_were_tried():
    assert text.reason(_everything(), [], 4, 14, failed=1) == (
        'Placement has no candidate for ' + text.describe(_everything()) +
        ': relaxing any one of the 3 constraints tried still leaves no '
        'candidate; 4 of 14 constraints tried '
        '([scheduler] diagnosis_max_queries); 1 relaxed query failed')


def test_no_diagnosis_only_describes_the_query():
    assert text.reason(_bigmem(), [], 0, 3) == (
        'Placement has no candidate for VCPU:16, MEMORY_MB:262144, '
        'required CUSTOM_BIGMEM')
