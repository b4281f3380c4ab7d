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

"""HostStateSet from Placement's answer: columns, lazy hosts, both paths.

The builder reads the common answer (one provider per request, one
request per host, no provider below a root) with its fast path and any
other with the general one; both must give the same host set, and the
same as summing each tree by hand.
"""

import gc
import weakref

import hypothesis
from hypothesis import strategies as st
import numpy as np

from scheduler.filters import handler as filter_handler
from scheduler.host_state import builder
from scheduler.host_state import columns
from scheduler.host_state import facts as host_facts
from scheduler.host_state import host_set as host_sets
from scheduler.host_state import host_state as hs
from scheduler.weighers import handler as weight_handler
from tests.unit.host_state import fakes

CLASSES = ('VCPU', 'MEMORY_MB', 'DISK_GB', 'PCPU', 'CUSTOM_GPU')


def _resources(draw, classes):
    chosen = draw(st.lists(st.sampled_from(classes), min_size=1,
                           unique=True))
    return {rc: {'capacity': draw(st.integers(0, 4096)),
                 'used': draw(st.integers(0, 4096))} for rc in chosen}


@st.composite
def answers(draw):
    """``(candidates, names, expected)``: a random Placement answer.

    ``expected`` is ``{root: {rc: (capacity, used)}}`` summed by hand over
    each tree.
    """
    count = draw(st.integers(1, 12))
    with_children = draw(st.booleans())
    summaries = {}
    requests = []
    names = {}
    expected = {}
    for i in range(count):
        root = fakes.rp_uuid('root-%d' % i)
        names[root] = 'host-%d' % i
        tree = {root: _resources(draw, CLASSES)}
        if with_children and draw(st.booleans()):
            child = fakes.rp_uuid('child-%d' % i)
            tree[child] = _resources(draw, CLASSES)
        traits = draw(st.lists(st.sampled_from(
            ['COMPUTE_NODE', hs.DISABLED_TRAIT, 'HW_CPU_X86_AVX2']),
            unique=True))
        for rp, resources in tree.items():
            summaries[rp] = {
                'resources': resources, 'root_provider_uuid': root,
                'parent_provider_uuid': None if rp == root else root,
                'traits': traits if rp == root else []}
        totals = {}
        for resources in tree.values():
            for rc, r in resources.items():
                capacity, used = totals.get(rc, (0, 0))
                totals[rc] = (capacity + r['capacity'], used + r['used'])
        expected[root] = totals
        for rp in tree:
            requests.append(fakes.allocation_request({rp: {'VCPU': 1}}))
    return fakes.Candidates(requests, summaries), names, expected


def _check(host_set, expected):
    assert host_set.uuids == list(expected)
    for rc in CLASSES:
        for i, root in enumerate(host_set.uuids):
            capacity, used = expected[root].get(rc, (0, 0))
            assert host_set.total(rc)[i] == capacity
            assert host_set.free(rc)[i] == capacity - used
            host = host_set.hosts[i]
            assert host.capacity.get(rc, 0) == capacity
            assert host.free(rc) == capacity - used


@hypothesis.settings(max_examples=60, deadline=None)
@hypothesis.given(answers())
def test_fast_and_general_paths_give_the_trees_sums(answer):
    candidates, names, expected = answer
    grouped = builder.group(candidates)
    general = builder._general(candidates)
    assert grouped.roots == general.roots
    for built in (
            builder.build_host_states(candidates, names, fakes.CELL),
            builder.build_host_states(candidates, names, fakes.CELL,
                                      grouped=general)):
        _check(built, expected)
        for trait in ('COMPUTE_NODE', hs.DISABLED_TRAIT):
            assert built.has_trait(trait).tolist() == [
                trait in candidates.provider_summaries[root].traits
                for root in built.uuids]


def test_the_common_answer_takes_the_fast_path():
    candidates, _names = fakes.make_candidates(fakes.uniform_hosts(3))
    grouped = builder.group(candidates)
    assert grouped.simple
    assert [list(r) for r in grouped.requests] == [
        [r] for r in candidates.allocation_requests]


def test_a_request_over_two_providers_takes_the_general_path():
    candidates, _names = fakes.make_candidates(fakes.uniform_hosts(2))
    first, second = candidates.provider_summaries
    candidates.allocation_requests.append(fakes.allocation_request(
        {first: {'VCPU': 1}, second: {'DISK_GB': 1}}))
    assert not builder.group(candidates).simple


def test_the_builtin_pipeline_makes_no_host_state():
    host_set = fakes.make_host_set(fakes.uniform_hosts(50))
    conf = fakes.make_conf()
    mask, _trace = filter_handler.FilterHandler(conf).run(
        host_set, fakes.make_spec())
    indices = np.flatnonzero(mask)
    weight_handler.WeightHandler(conf).weigh(host_set, fakes.make_spec(),
                                             indices)
    assert len(indices) == 50
    assert host_set._made == [None] * 50
    assert host_set[7].host == 'host-00007'
    assert sum(h is not None for h in host_set._made) == 1


def test_a_request_s_host_set_is_freed_without_the_garbage_collector():
    """No reference cycle: the answer it holds goes with the request."""
    conf = fakes.make_conf()
    filters = filter_handler.FilterHandler(conf)
    weighers = weight_handler.WeightHandler(conf)
    spec = fakes.make_spec()
    gc.collect()
    gc.disable()
    try:
        host_set = fakes.make_host_set(fakes.uniform_hosts(20))
        mask = None
        for index in range(3):
            mask, _trace = filters.run(host_set, spec, mask, index)
            indices = np.flatnonzero(mask)
            weights = weighers.weigh(host_set, spec, indices)
            chosen = int(indices[np.argmax(weights)])
            host_set.consume(chosen, host_set[chosen].fitting_request())
        assert [h.host for h in host_set.hosts[:2]] == [
            'host-00000', 'host-00001']
        freed = weakref.ref(host_set)
        del host_set
        assert freed() is None
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_a_column_made_after_consuming_includes_the_consumption():
    host_set = fakes.make_host_set(fakes.uniform_hosts(3))
    request = host_set[1].allocation_requests[0]
    host_set.consume(1, request)
    # Nothing asked for MEMORY_MB before the consumption.
    assert list(host_set.free_ram_mb) == [32768, 31744, 32768]
    assert list(host_set.placed) == [0, 1, 0]


def test_subset_keeps_the_kept_hosts_columns_and_views():
    host_set = fakes.make_host_set([
        {'name': 'a', 'used': {'VCPU': 4}},
        {'name': 'b', 'traits': [hs.DISABLED_TRAIT]},
        {'name': 'c', 'used': {'VCPU': 2}}])
    assert list(host_set.disabled) == [False, True, False]
    made = host_set[2]
    kept = host_set.subset(np.array([True, False, True]))
    assert kept.host_names == ['a', 'c']
    assert list(kept.free_vcpus) == [12, 14]
    assert list(kept.disabled) == [False, False]
    assert kept[1] is made
    assert kept[0].host == 'a' and kept[0].free('VCPU') == 12


def test_absent_traits_are_not_looked_for():
    candidates, names = fakes.make_candidates(
        [{'name': 'a', 'traits': [hs.DISABLED_TRAIT]}])
    # The query forbade the trait: Placement would not have offered 'a'.
    host_set = builder.build_host_states(
        candidates, names, fakes.CELL, absent_traits={hs.DISABLED_TRAIT})
    assert list(host_set.disabled) == [False]


def test_cell_and_zone_come_from_facts_else_the_defaults():
    candidates, names = fakes.make_candidates(fakes.uniform_hosts(3))
    facts = {'host-00000': host_facts.HostFacts(cell_uuid='cell-x',
                                                availability_zone='az-x')}
    host_set = builder.build_host_states(
        candidates, names, fakes.CELL, facts=facts,
        zones={'host-00001': 'az-y'}, default_zone='nova')
    # Host by host before the list is made, and after.
    assert [host_set.cell_uuid(i) for i in range(3)] == [
        'cell-x', fakes.CELL, fakes.CELL]
    assert host_set.cell_uuids == ['cell-x', fakes.CELL, fakes.CELL]
    assert [host_set.cell_uuid(i) for i in range(3)] == host_set.cell_uuids
    assert host_set.zones == ['az-x', 'az-y', 'nova']
    assert host_set.facts[2] is host_facts.UNKNOWN
    assert host_set[1].availability_zone == 'az-y'


def test_a_set_of_host_states_reads_them_as_they_are():
    hosts = list(fakes.make_host_set(fakes.uniform_hosts(2)))
    hosts[0].consume(hosts[0].allocation_requests[0])
    host_set = host_sets.HostStateSet(hosts)
    assert list(host_set.free_vcpus) == [15, 16]
    assert list(host_set.placed) == [1, 0]
    assert list(host_set.free('PCPU')) == [0, 0]
    assert host_set[0] is hosts[0]


def test_groups_of_equal_facts_are_judged_once():
    candidates, names = fakes.make_candidates(fakes.uniform_hosts(4))
    metadata = [{'a': [1, 2]}, {'a': [1, 2]}, {'a': [3]}, {'a': [1, 2]}]
    facts = {'host-%05d' % i: host_facts.HostFacts(cell_uuid=str(i))
             for i in range(4)}
    host_set = builder.build_host_states(candidates, names, fakes.CELL,
                                         facts=facts)
    seen = []
    mask = columns.mask_by_group(
        host_set, 'test-metadata',
        # JSON-like, so not hashable: freeze makes it so.
        lambda record: metadata[int(record.cell_uuid)],
        lambda host: seen.append(host.host) or host.host != 'host-00002',
        freeze=True)
    assert mask.tolist() == [True, True, False, True]
    assert seen == ['host-00000', 'host-00002']
    assert host_set._made.count(None) == 2
