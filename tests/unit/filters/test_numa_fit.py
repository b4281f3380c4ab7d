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

"""NUMA fitting rules, one behaviour of Nova's a test.

``tests/nova_compat/test_numa_differential.py`` checks the same code
against Nova's own on random topologies; these name the rules.
"""

from scheduler.filters import numa_fit
from scheduler.objects import numa_pci


def _cell(id=0, cpus=(), pcpus=(), memory=4096, siblings=None, pages=(),
          **usage):
    data = {'id': id, 'cpuset': list(cpus), 'pcpuset': list(pcpus),
            'memory': memory, 'mempages': [
                {'size_kb': size, 'total': total, 'used': used}
                for size, total, used in pages]}
    if siblings is not None:
        data['siblings'] = [list(s) for s in siblings]
    data.update(usage)
    return numa_fit.HostCell.from_plain(data)


def _guest(cpus=2, memory=1024, policy=None, thread=None, pagesize=None,
           id=0):
    pinned = policy == 'dedicated'
    return numa_pci.InstanceNUMACell(
        id=id, cpuset=frozenset() if pinned else frozenset(range(cpus)),
        pcpuset=frozenset(range(cpus)) if pinned else frozenset(),
        memory=memory, cpu_policy=policy, cpu_thread_policy=thread,
        pagesize=pagesize)


def test_large_pages_need_free_pages_of_a_large_size():
    small_only = _cell(cpus=range(4), pages=[(4, 1048576, 0)])
    huge = _cell(cpus=range(4), pages=[(4, 1048576, 0), (2048, 1024, 0)])
    guest = _guest(pagesize=numa_fit.PAGES_LARGE)
    assert numa_fit.fit([small_only], [guest]) is None
    (placed,) = numa_fit.fit([huge], [guest])
    assert placed.pagesize == 2048
    used_up = _cell(cpus=range(4), pages=[(4, 1048576, 0),
                                          (2048, 1024, 1000)])
    assert numa_fit.fit([used_up], [guest]) is None


def test_memory_must_be_whole_pages():
    gig_pages = _cell(cpus=range(4), pages=[(4, 1048576, 0),
                                            (1048576, 4, 0)])
    assert numa_fit.fit([gig_pages], [_guest(memory=1536,
                                             pagesize=1048576)]) is None
    assert numa_fit.fit([gig_pages], [_guest(memory=2048,
                                             pagesize=1048576)])


def test_a_page_size_the_cell_lacks_does_not_fit():
    cell = _cell(cpus=range(4), pages=[(4, 1048576, 0)])
    assert numa_fit.fit([cell], [_guest(pagesize=2048)]) is None


def test_isolate_takes_whole_cores_and_pins_their_siblings():
    legacy = _cell(cpus=range(4), pcpus=range(4),
                   siblings=[(0, 1), (2, 3)])
    guest = _guest(cpus=2, policy='dedicated', thread='isolate')
    (placed,) = numa_fit.fit([legacy], [guest])
    assert sorted(placed.pinned) == [0, 2]
    (after,) = numa_fit.consume([legacy], [placed])
    assert after.pinned_cpus == {0, 1, 2, 3}
    assert numa_fit.fit([after], [guest]) is None


def test_require_needs_sibling_threads():
    no_smt = _cell(pcpus=range(4), siblings=[(0,), (1,), (2,), (3,)])
    smt = _cell(pcpus=range(4), siblings=[(0, 1), (2, 3)])
    guest = _guest(cpus=2, policy='dedicated', thread='require')
    assert numa_fit.fit([no_smt], [guest]) is None
    (placed,) = numa_fit.fit([smt], [guest])
    assert sorted(placed.pinned) == [0, 1]


def test_isolated_emulator_threads_take_one_more_cpu_on_the_first_cell():
    cell = _cell(pcpus=range(2), siblings=[(0,), (1,)])
    guest = _guest(cpus=2, policy='dedicated')
    assert numa_fit.fit([cell], [guest])
    assert numa_fit.fit([cell], [guest],
                        emulator_threads_isolated=True) is None
    bigger = _cell(pcpus=range(3), siblings=[(0,), (1,), (2,)])
    (placed,) = numa_fit.fit([bigger], [guest],
                             emulator_threads_isolated=True)
    assert placed.reserved == {2}


def test_shared_cpus_and_memory_follow_the_allocation_ratios():
    cell = _cell(cpus=range(4), cpu_usage=3, memory_usage=3072)
    guest = _guest(cpus=2, memory=2048)
    assert numa_fit.fit([cell], [guest]) is None
    assert numa_fit.fit([cell], [guest], cpu_ratio=2.0) is None
    assert numa_fit.fit([cell], [guest], cpu_ratio=2.0, ram_ratio=1.5)


def test_pinned_guests_do_not_overcommit_memory():
    cell = _cell(pcpus=range(4), memory=4096, memory_usage=3072)
    guest = _guest(cpus=1, memory=2048, policy='dedicated')
    assert numa_fit.fit([cell], [guest], ram_ratio=4.0) is None


def test_spread_tries_the_emptiest_cell_first():
    busy = _cell(id=0, cpus=range(4), cpu_usage=3)
    idle = _cell(id=1, cpus=range(4, 8))
    (placed,) = numa_fit.fit([busy, idle], [_guest(cpus=1)],
                             cpu_ratio=4.0)
    assert placed.cell_index == 1


def test_each_guest_cell_needs_its_own_host_cell():
    cells = [_cell(id=0, cpus=range(4)), _cell(id=1, cpus=range(4, 8))]
    guests = [_guest(id=0), _guest(id=1)]
    placed = numa_fit.fit(cells, guests)
    assert sorted(p.cell_index for p in placed) == [0, 1]
    assert numa_fit.fit(cells[:1], guests) is None
