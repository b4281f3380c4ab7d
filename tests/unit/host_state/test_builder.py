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

import hypothesis
from hypothesis import strategies as st

from scheduler.host_state import builder
from scheduler.host_state import facts as host_facts
from tests.unit.host_state import fakes

CN1 = fakes.rp_uuid('cn1')
CN2 = fakes.rp_uuid('cn2')
NUMA = fakes.rp_uuid('cn1-numa0')
SHARED = fakes.rp_uuid('shared-disk')
NAMES = {CN1: 'cn1', CN2: 'cn2', SHARED: 'shared-disk'}


def _candidates(requests):
    summaries = {
        CN1: fakes.summary({'MEMORY_MB': 4096}, traits=['COMPUTE_NODE'],
                           root=CN1),
        NUMA: fakes.summary({'VCPU': 8}, {'VCPU': 2}, traits=['NUMA'],
                            root=CN1, parent=CN1),
        CN2: fakes.summary({'VCPU': 4, 'MEMORY_MB': 2048}, root=CN2),
        SHARED: fakes.summary({'DISK_GB': 1000}, root=SHARED),
    }
    return fakes.Candidates(requests, summaries)


def test_each_root_is_one_host_with_its_tree_summed():
    candidates = _candidates([
        fakes.allocation_request({NUMA: {'VCPU': 1},
                                  CN1: {'MEMORY_MB': 512}}),
        fakes.allocation_request({CN2: {'VCPU': 1, 'MEMORY_MB': 512}}),
    ])
    host_set = builder.build_host_states(candidates, NAMES, fakes.CELL)
    assert [h.uuid for h in host_set] == [CN1, CN2]
    cn1 = host_set[0]
    assert cn1.capacity == {'MEMORY_MB': 4096, 'VCPU': 8}
    assert cn1.free('VCPU') == 6
    assert set(cn1.providers) == {CN1, NUMA}
    assert cn1.host == cn1.nodename == 'cn1'
    assert cn1.cell_uuid == fakes.CELL


def test_host_traits_are_the_roots_traits():
    candidates = _candidates([fakes.allocation_request(
        {NUMA: {'VCPU': 1}, CN1: {'MEMORY_MB': 512}})])
    host = builder.build_host_states(candidates, NAMES, fakes.CELL)[0]
    assert host.traits == frozenset(['COMPUTE_NODE'])


def test_request_belongs_to_the_root_supplying_compute_resources():
    with_shared_disk = fakes.allocation_request(
        {CN2: {'VCPU': 1, 'MEMORY_MB': 512}, SHARED: {'DISK_GB': 10}})
    candidates = _candidates([with_shared_disk])
    host_set = builder.build_host_states(candidates, NAMES, fakes.CELL)
    assert [h.host for h in host_set] == ['cn2']
    assert host_set[0].allocation_requests == [with_shared_disk]


def test_request_without_compute_resources_goes_to_every_root_touched():
    disk_only = fakes.allocation_request(
        {CN2: {'DISK_GB': 1}, SHARED: {'DISK_GB': 10}})
    candidates = _candidates([disk_only])
    assert builder.group(candidates).roots == [CN2, SHARED]
    host_set = builder.build_host_states(candidates, NAMES, fakes.CELL)
    assert sorted(h.host for h in host_set) == ['cn2', 'shared-disk']


def test_root_without_a_known_name_is_not_a_host():
    candidates = _candidates([
        fakes.allocation_request({CN1: {'MEMORY_MB': 1}}),
        fakes.allocation_request({CN2: {'MEMORY_MB': 1}}),
    ])
    host_set = builder.build_host_states(candidates, {CN2: 'cn2'},
                                         fakes.CELL)
    assert [h.host for h in host_set] == ['cn2']


def test_summaries_without_root_uuid_make_each_provider_a_root():
    candidates, names = fakes.make_candidates(fakes.uniform_hosts(3))
    host_set = builder.build_host_states(candidates, names, fakes.CELL)
    assert [h.host for h in host_set] == [
        'host-00000', 'host-00001', 'host-00002']
    assert all(len(h.allocation_requests) == 1 for h in host_set)


def test_several_requests_of_one_host_are_kept_in_order():
    first = fakes.allocation_request({CN2: {'VCPU': 1}})
    second = fakes.allocation_request({CN2: {'VCPU': 2}})
    host_set = builder.build_host_states(
        _candidates([first, second]), NAMES, fakes.CELL)
    assert host_set[0].allocation_requests == [first, second]


def test_aggregates_come_from_the_given_mapping_by_host_name():
    candidates, names = fakes.make_candidates(fakes.uniform_hosts(2))
    host_set = builder.build_host_states(
        candidates, names, fakes.CELL,
        aggregates={'host-00001': ['agg-uuid']})
    assert [h.aggregates for h in host_set] == [
        frozenset(), frozenset(['agg-uuid'])]


def test_known_facts_give_the_host_its_cell_zone_and_details():
    candidates, names = fakes.make_candidates([dict(name='host-0'),
                                               dict(name='host-1')])
    known = host_facts.HostFacts(
        cell_uuid='00000000-0000-0000-0000-0000000000c2',
        availability_zone='az2',
        compute=host_facts.ComputeFacts(hypervisor_type='QEMU'))
    host_set = builder.build_host_states(
        candidates, names, fakes.CELL, default_zone='nova',
        facts={'host-1': known})
    by_name = {h.host: h for h in host_set}
    assert by_name['host-1'].cell_uuid.endswith('c2')
    assert by_name['host-1'].availability_zone == 'az2'
    assert by_name['host-1'].facts.compute.hypervisor_type == 'QEMU'
    assert by_name['host-0'].cell_uuid == fakes.CELL
    assert by_name['host-0'].availability_zone == 'nova'
    assert by_name['host-0'].facts.compute is None


@hypothesis.settings(max_examples=100, deadline=None)
@hypothesis.given(st.lists(st.tuples(
    st.sampled_from(['n1', 'n2', 'n3']),
    st.sampled_from([None, 'no host', 'n1', 'n2', 'svc']))))
def test_nodes_named_apart_from_their_host_are_found_as_one_by_one(rows):
    """The C-level test gives what the plain rule gives, host by host."""
    names = [name for name, _compute in rows]
    records = [host_facts.UNKNOWN if compute is None else
               host_facts.HostFacts(compute=host_facts.ComputeFacts(
                   host=None if compute == 'no host' else compute))
               for _name, compute in rows]
    expected = any(f.compute is not None and
                   f.compute.host not in (None, name)
                   for f, name in zip(records, names))
    assert builder._named_apart(records, names) is expected
