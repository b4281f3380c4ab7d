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

"""Host states built from the last answer's rows equal those built afresh."""

import copy
import gc
import json
import weakref

import hypothesis
from hypothesis import strategies as st
import numpy as np
import pytest

from scheduler.host_state import builder
from scheduler.host_state import columns
from scheduler.host_state import facts as host_facts
from scheduler.host_state import rows
from scheduler.placement import candidates
from tests.unit.host_state import fakes

RCS = ('VCPU', 'MEMORY_MB', 'DISK_GB', 'CUSTOM_GPU')
AVX = 'HW_CPU_X86_AVX2'
HOSTS = 40


def _record(name, io_ops=0, service_host=None):
    return host_facts.HostFacts(compute=host_facts.ComputeFacts(
        host=service_host or name, stats={'num_io_ops': io_ops}))


class _Cloud:
    """Placement's answer, provider names and host facts, as they move."""

    def __init__(self, count):
        self.plain = {'allocation_requests': [], 'provider_summaries': {}}
        # As the service's caches: every provider of the cloud, not only
        # those of the answer.
        self.names = {fakes.rp_uuid('h%d' % i): 'h%d' % i
                      for i in range(HOSTS)}
        self.facts = {'h%d' % i: _record('h%d' % i) for i in range(HOSTS)}
        for i in range(count):
            self.add(i, len(self.plain['allocation_requests']))

    def add(self, i, at, replace=None):
        """Host ``i`` at ``at``; in place of provider ``replace``."""
        rp = fakes.rp_uuid('h%d' % i)
        if rp in self.plain['provider_summaries']:
            return
        items = list(self.plain['provider_summaries'].items())
        requests = self.plain['allocation_requests']
        request_at = at
        if replace:
            # Another host where one was (a cut answer, as one fills up).
            at = list(self.plain['provider_summaries']).index(replace)
            del items[at]
            items = [item for item in items
                     if item[0] != 'child-%s' % replace]
            request_at = next((n for n, r in enumerate(requests)
                               if replace in r['allocations']),
                              len(requests))
            requests[:] = [r for r in requests
                           if replace not in r['allocations']]
        items.insert(at, (rp, fakes.summary(fakes.INVENTORY, root=rp)))
        self.plain['provider_summaries'] = dict(items)
        requests.insert(request_at,
                        fakes.allocation_request({rp: fakes.REQUEST}))

    def edit(self, draw):
        summaries = self.plain['provider_summaries']
        rps = list(summaries)
        kind = draw(st.sampled_from([
            'claim', 'claim', 'drop', 'add', 'replace', 'traits', 'rename',
            'fact',
            'apart', 'unnamed', 'flavor', 'shuffle', 'reorder', 'twice',
            'child', 'reparent', 'same']))
        # A host's root provider (a provider below one goes with it).
        roots = [r for r in rps if not r.startswith('child-')]
        rp = draw(st.sampled_from(roots)) if roots else None
        if kind == 'claim' and rp:
            for rc, inventory in summaries[rp]['resources'].items():
                inventory['used'] += fakes.REQUEST.get(rc, 0)
        elif kind == 'drop' and rp:
            summaries.pop('child-%s' % rp, None)
            del summaries[rp]
            self.plain['allocation_requests'] = [
                r for r in self.plain['allocation_requests']
                if rp not in r['allocations']]
        elif kind == 'add':
            self.add(draw(st.integers(0, HOSTS - 1)),
                     draw(st.integers(0, len(rps))))
        elif kind == 'replace' and rp:
            self.add(draw(st.integers(0, HOSTS - 1)), None, replace=rp)
        elif kind == 'traits' and rp:
            summaries[rp]['traits'] = ['COMPUTE_NODE', AVX]
        elif kind == 'rename' and rp:
            self.names = dict(self.names, **{rp: 'renamed-%s' % rp})
        elif kind == 'fact' and rp in self.names:
            name = self.names[rp]
            self.facts = dict(self.facts, **{name: _record(name, io_ops=3)})
        elif kind == 'apart' and rp in self.names:
            name = self.names[rp]
            self.facts = dict(self.facts, **{
                name: _record(name, service_host='svc-%s' % name)})
        elif kind == 'unnamed' and rp:
            self.names = {k: v for k, v in self.names.items() if k != rp}
        elif kind == 'flavor':
            vcpus = draw(st.integers(1, 3))
            for r in self.plain['allocation_requests']:
                for alloc in r['allocations'].values():
                    alloc['resources']['VCPU'] = vcpus
        elif kind == 'shuffle':
            items = list(summaries.items())
            draw(st.randoms(use_true_random=False)).shuffle(items)
            self.plain['provider_summaries'] = dict(items)
        elif kind == 'reorder':
            draw(st.randoms(use_true_random=False)).shuffle(
                self.plain['allocation_requests'])
        elif kind == 'twice' and len(roots) > 1:
            # Two requests on one provider, none on another whose summary
            # stays: as many summaries as requests, but not the common
            # layout.
            requests = self.plain['allocation_requests']
            other = next(r for r in roots if r != rp)
            requests[:] = [
                fakes.allocation_request({rp: {'VCPU': 2}})
                if other in r['allocations'] else r for r in requests]
        elif kind == 'reparent' and len(roots) > 1:
            # A provider now below another: its request is that host's.
            other = next(r for r in roots if r != rp)
            summaries[rp]['root_provider_uuid'] = other
            summaries[rp]['parent_provider_uuid'] = other
        elif kind == 'child' and rp and 'child-%s' % rp not in rps:
            child = 'child-%s' % rp
            summaries[child] = fakes.summary({'CUSTOM_GPU': 2}, root=rp,
                                             parent=rp)
            for r in self.plain['allocation_requests']:
                if rp in r['allocations']:
                    r['allocations'][child] = {
                        'resources': {'CUSTOM_GPU': 1}}
        self.plain = copy.deepcopy(self.plain)


def _build(answer, cloud, memory=None):
    return builder.build_host_states(
        answer, cloud.names, fakes.CELL, facts=cloud.facts,
        fact_memory=memory.facts if memory else None,
        row_memory=memory.rows if memory else None)


def _assert_same(built, afresh, rcs):
    assert built.uuids == afresh.uuids
    assert built.host_names == afresh.host_names
    assert built.node_names == afresh.node_names
    # Equal (a node named apart from its host gets a record made for the
    # request), and the same records where the store's are used.
    assert built.facts == afresh.facts
    assert built.traits == afresh.traits
    for rc in rcs:
        assert built.total(rc).tolist() == afresh.total(rc).tolist()
        assert built.free(rc).tolist() == afresh.free(rc).tolist()
    assert built.has_trait(AVX).tolist() == afresh.has_trait(AVX).tolist()
    assert (columns.fact_table(built).rows.tolist() ==
            columns.fact_table(afresh).rows.tolist())
    for mine, theirs in zip(built.hosts, afresh.hosts):
        assert mine.allocation_requests == theirs.allocation_requests
        assert mine.capacity == theirs.capacity
        assert mine.used == theirs.used


@pytest.mark.parametrize('reuse_up_to', [rows.REUSE_UP_TO, 1.0])
@hypothesis.settings(max_examples=150, deadline=None,
                     suppress_health_check=[
                         hypothesis.HealthCheck.function_scoped_fixture])
@hypothesis.given(data=st.data())
def test_a_set_built_from_the_last_rows_is_the_set_built_afresh(
        monkeypatch, reuse_up_to, data):
    # 1.0: the last rows serve however many changed, so that every change
    # goes through them.
    monkeypatch.setattr(rows, 'REUSE_UP_TO', reuse_up_to)
    cloud = _Cloud(data.draw(st.integers(1, 10)))
    size = data.draw(st.sampled_from([4, 1]))
    decoding = candidates.new_memory(size)
    memory = builder.Memory(size)
    for _ in range(data.draw(st.integers(2, 8))):
        raw = json.dumps(cloud.plain).encode()
        # Requests of other flavors in between: kept per query.
        query = data.draw(st.sampled_from(['VCPU:1', 'VCPU:2']))
        answer = candidates.decode(raw, 'test', '', '1.36', query,
                                   memory=decoding)
        built = _build(answer, cloud, memory)
        afresh = _build(candidates.decode(raw, 'test', '', '1.36', query),
                        cloud)
        # Some requests read some classes only: the rest are read later.
        rcs = data.draw(st.lists(st.sampled_from(RCS), unique=True))
        _assert_same(built, afresh, rcs)
        if len(built) and data.draw(st.booleans()):
            # A request consumes what it placed: in its own columns only.
            i = data.draw(st.integers(0, len(built) - 1))
            request = built.hosts[i].fitting_request()
            if request is not None:
                built.consume(i, request)
                afresh.consume(i, request)
        _assert_same(built, afresh, RCS)
        cloud.edit(data.draw)


def test_rows_that_did_not_change_are_not_read_again():
    cloud = _Cloud(4)
    decoding = candidates.new_memory()
    memory = builder.Memory()

    def build():
        raw = json.dumps(cloud.plain).encode()
        return _build(candidates.decode(raw, 'test', '', '1.36',
                                        memory=decoding), cloud, memory)

    first = build()
    first.free('VCPU')
    first.consume(0, first.hosts[0].fitting_request())
    rp = first.uuids[1]
    cloud.plain['provider_summaries'][rp]['resources']['VCPU']['used'] = 3
    second = build()
    # The lists of the last set, and its columns with one row read again
    # (not the first set's consumption).
    assert second.host_names is first.host_names
    assert second.facts is first.facts
    assert second.free('VCPU').tolist() == [16, 13, 16, 16]
    assert (columns.fact_table(second) is columns.fact_table(first))


def test_a_changed_answer_layout_is_read_afresh():
    cloud = _Cloud(3)
    decoding = candidates.new_memory()
    memory = builder.Memory()
    raw = json.dumps(cloud.plain).encode()
    _build(candidates.decode(raw, 'test', '', '1.36', memory=decoding),
           cloud, memory)
    rp = list(cloud.plain['provider_summaries'])[0]
    cloud.plain['provider_summaries']['child'] = fakes.summary(
        {'CUSTOM_GPU': 2}, root=rp, parent=rp)
    cloud.plain['allocation_requests'][0]['allocations']['child'] = {
        'resources': {'CUSTOM_GPU': 1}}
    raw = json.dumps(cloud.plain).encode()
    answer = candidates.decode(raw, 'test', '', '1.36', memory=decoding)
    assert memory.rows.reuse(answer) is None
    built = _build(answer, cloud, memory)
    assert np.array_equal(built.total('CUSTOM_GPU'), [2, 0, 0])


def test_rows_are_kept_per_query():
    cloud = _Cloud(4)
    decoding = candidates.new_memory()
    memory = builder.Memory()

    def build(query):
        raw = json.dumps(cloud.plain).encode()
        answer = candidates.decode(raw, 'test', '', '1.36', query,
                                   memory=decoding)
        return answer, _build(answer, cloud, memory)

    _answer, first = build('VCPU:1')
    build('VCPU:2')
    # A claim on a host: one row changed, under the same query.
    for rp in first.uuids[:1]:
        cloud.plain['provider_summaries'][rp]['resources']['VCPU'][
            'used'] += 1
    answer, again = build('VCPU:1')
    assert again.host_names is first.host_names
    assert again.free('VCPU').tolist() == [15, 16, 16, 16]
    # Kept under its query, with the claim's row read again.
    rows_again = memory.rows.reuse(answer)
    assert rows_again is not None and rows_again.key == 'VCPU:1'
    # remembered_answers = 0: nothing kept.
    none_kept = builder.Memory(0)
    _build(answer, cloud, none_kept)
    assert none_kept.rows.reuse(answer) is None


def test_rows_kept_hold_no_earlier_answer():
    cloud = _Cloud(4)
    decoding = candidates.new_memory()
    memory = builder.Memory()
    first = None
    for step in range(4):
        rp = list(cloud.plain['provider_summaries'])[step]
        cloud.plain['provider_summaries'][rp]['resources']['VCPU'][
            'used'] += 1
        raw = json.dumps(cloud.plain).encode()
        answer = candidates.decode(raw, 'test', '', '1.36', memory=decoding)
        built = _build(answer, cloud, memory)
        built.free('VCPU')
        if first is None:
            first = weakref.ref(memory.rows.reuse(answer)._base)
            del answer, built
    gc.collect()
    # The rows of the first answer are gone: no chain of answers.
    assert first() is None
