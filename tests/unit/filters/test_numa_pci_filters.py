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

from scheduler.filters import handler as fh
from scheduler.filters import numa_topology_filter as ntf
from scheduler.filters import pci_passthrough_filter as ppf
from scheduler.objects import numa_pci
from tests.unit.filters import helpers as h


def _cell(id, cpus, memory, pcpus=(), cpu_usage=0, memory_usage=0,
          pinned=(), siblings=()):
    return {'id': id, 'cpuset': list(cpus), 'pcpuset': list(pcpus),
            'memory': memory, 'cpu_usage': cpu_usage,
            'memory_usage': memory_usage, 'pinned_cpus': list(pinned),
            'siblings': [list(s) for s in siblings]}


def _numa_host(name, cells, **ratios):
    return h.host(name, compute=h.compute(
        numa_topology={'cells': cells}, **ratios))


def _guest(*cells):
    return numa_pci.InstanceNUMATopology(cells=list(cells))


def _shared(cpus, memory):
    return numa_pci.InstanceNUMACell(cpuset=frozenset(range(cpus)),
                                     memory=memory)


def _pinned(cpus, memory):
    return numa_pci.InstanceNUMACell(pcpuset=frozenset(range(cpus)),
                                     memory=memory, cpu_policy='dedicated')


def _flt():
    return ntf.NUMATopologyFilter(conf=h.conf())


def test_request_without_numa_topology_passes_everywhere():
    hosts = [h.host('unknown'), _numa_host('numa', [_cell(0, range(4),
                                                          1024)])]
    assert h.passing(_flt(), hosts, h.spec()) == ['unknown', 'numa']


def test_each_guest_cell_needs_its_own_host_cell():
    hosts = [
        _numa_host('two-cells', [_cell(0, range(4), 4096),
                                 _cell(1, range(4, 8), 4096)]),
        _numa_host('one-cell', [_cell(0, range(8), 8192)]),
        h.host('unknown'),
    ]
    spec = h.spec(numa_topology=_guest(_shared(2, 2048), _shared(2, 2048)))
    assert h.passing(_flt(), hosts, spec) == ['two-cells']


def test_memory_and_cpu_usage_count_against_the_cell():
    hosts = [
        _numa_host('full-ram', [_cell(0, range(4), 4096,
                                      memory_usage=3072)]),
        _numa_host('full-cpu', [_cell(0, range(4), 4096, cpu_usage=3)]),
        _numa_host('overcommit', [_cell(0, range(4), 4096, cpu_usage=3)],
                   cpu_allocation_ratio=2.0),
    ]
    spec = h.spec(numa_topology=_guest(_shared(2, 2048)))
    assert h.passing(_flt(), hosts, spec) == ['overcommit']


def test_dedicated_cpus_need_free_pcpus():
    hosts = [
        _numa_host('pinned', [_cell(0, (), 4096, pcpus=range(4),
                                    pinned=[0, 1, 2])]),
        _numa_host('free', [_cell(0, (), 4096, pcpus=range(4))]),
    ]
    spec = h.spec(numa_topology=_guest(_pinned(2, 1024)))
    assert h.passing(_flt(), hosts, spec) == ['free']


def test_require_thread_policy_needs_hyperthreads():
    hosts = [
        _numa_host('smt', [_cell(0, (), 4096, pcpus=range(4),
                                 siblings=[(0, 1), (2, 3)])]),
        _numa_host('no-smt', [_cell(0, (), 4096, pcpus=range(4),
                                    siblings=[(0,), (1,)])]),
    ]
    spec = h.spec({'hw:cpu_policy': 'dedicated',
                   'hw:cpu_thread_policy': 'require'})
    assert h.passing(_flt(), hosts, spec) == ['smt']


def _pci_hosts():
    return [
        h.host('gpus', compute=h.compute(pci_pools=[
            {'vendor_id': '10de', 'product_id': '1eb8', 'count': 2,
             'numa_node': 0},
            {'vendor_id': '8086', 'product_id': '1520', 'count': 4,
             'dev_type': 'type-VF', 'physical_network': 'phys1'}])),
        h.host('nics', compute=h.compute(pci_pools=[
            {'vendor_id': '8086', 'product_id': '1520', 'count': 1,
             'dev_type': 'type-VF', 'physical_network': 'phys1'}])),
        h.host('unknown'),
    ]


def _pci(count, **spec):
    return numa_pci.PCIRequest(count=count, spec=[spec])


def test_pci_requests_need_enough_matching_devices():
    flt = ppf.PciPassthroughFilter(conf=h.conf())
    spec = h.spec(pci_requests=[_pci(2, vendor_id='10de')])
    assert h.passing(flt, _pci_hosts(), spec) == ['gpus']
    spec = h.spec(pci_requests=[_pci(1, physical_network='phys1')])
    assert h.passing(flt, _pci_hosts(), spec) == ['gpus', 'nics']


def test_devices_taken_by_one_request_are_gone_for_the_next():
    flt = ppf.PciPassthroughFilter(conf=h.conf())
    spec = h.spec(pci_requests=[_pci(3, vendor_id='8086'),
                                _pci(2, product_id='1520')])
    assert h.passing(flt, _pci_hosts(), spec) == []
    spec = h.spec(pci_requests=[_pci(3, vendor_id='8086'),
                                _pci(1, product_id='1520')])
    assert h.passing(flt, _pci_hosts(), spec) == ['gpus']


def test_no_pci_request_passes_everywhere():
    flt = ppf.PciPassthroughFilter(conf=h.conf())
    assert h.passing(flt, _pci_hosts(), h.spec()) == [
        'gpus', 'nics', 'unknown']


def test_instances_already_placed_take_their_numa_cells():
    host = _numa_host('two-cells', [_cell(0, range(4), 4096),
                                    _cell(1, range(4, 8), 4096)])
    spec = h.spec(numa_topology=_guest(_shared(4, 3072)))
    assert h.passing(_flt(), [host], spec) == ['two-cells']
    host.placed = 1
    assert h.passing(_flt(), [host], spec) == ['two-cells']
    host.placed = 2
    assert h.passing(_flt(), [host], spec) == []


def test_pinned_cpus_taken_by_an_earlier_instance_are_gone():
    host = _numa_host('pinned', [_cell(0, (), 8192, pcpus=range(4))])
    spec = h.spec(numa_topology=_guest(_pinned(2, 1024)))
    host.placed = 1
    assert h.passing(_flt(), [host], spec) == ['pinned']
    host.placed = 2
    assert h.passing(_flt(), [host], spec) == []


def test_instances_already_placed_took_their_pci_devices():
    flt = ppf.PciPassthroughFilter(conf=h.conf())
    hosts = _pci_hosts()
    spec = h.spec(pci_requests=[_pci(1, vendor_id='10de')])
    hosts[0].placed = 1
    assert h.passing(flt, hosts, spec) == ['gpus']
    hosts[0].placed = 2
    assert h.passing(flt, hosts, spec) == []


def test_a_fitted_guest_leaves_nova_s_numa_limits_for_the_claim():
    host = _numa_host('numa', [_cell(0, range(4), 4096)],
                      cpu_allocation_ratio=4.0, ram_allocation_ratio=1.5)
    metadata = numa_pci.NetworkMetadata(physnets=frozenset(['physnet1']))
    spec = h.spec(numa_topology=_guest(_shared(2, 1024)),
                  network_metadata=metadata)
    handler = fh.FilterHandler(h.conf(), filters=[
        ('NUMATopologyFilter', _flt())])
    assert handler.limits(host, spec) == {
        'numa_topology': numa_pci.NUMATopologyLimits(
            cpu_allocation_ratio=4.0, ram_allocation_ratio=1.5,
            network_metadata=metadata)}
    # None without a guest topology, a host topology, or when the filters
    # did not run (forced hosts), as Nova's filter sets them when it runs.
    assert handler.limits(host, h.spec()) == {}
    assert handler.limits(h.host('unknown'), spec) == {}
    spec.force_hosts = ['numa']
    assert handler.limits(host, spec) == {}
    assert fh.FilterHandler(h.conf(), filters=[]).limits(
        host, h.spec(numa_topology=spec.numa_topology)) == {}
