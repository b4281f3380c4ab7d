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

"""Capacity counts see what the NUMA and PCI filters see."""

import math

from scheduler.cycle import capacity
from scheduler.cycle import request as cycle_request
from scheduler.filters import handler as filter_handler
from scheduler.filters import numa_topology_filter as ntf
from scheduler.filters import pci_passthrough_filter as ppf
from scheduler.objects import numa_pci
from tests.unit.filters import helpers as h


def _count(flt, hosts, spec, max_per_host=100):
    request = cycle_request.Request(spec, dry_run=True)
    request.host_set = h.host_set(hosts)
    handler = filter_handler.FilterHandler(h.conf(), filters=[flt])
    return capacity.count(request, handler, max_per_host, math.inf)


def _cell(id, pcpus, memory):
    return {'id': id, 'cpuset': [], 'pcpuset': list(pcpus),
            'memory': memory, 'cpu_usage': 0, 'memory_usage': 0,
            'pinned_cpus': [], 'siblings': []}


def test_pinned_guests_count_by_free_pcpus_not_placement_inventory():
    # Placement's inventory (16 VCPU) would take 16; the host's two cells
    # of 4 dedicated CPUs pin two guests of 3 CPUs, one per cell.
    hosts = [h.host('two-cells', compute=h.compute(numa_topology={
        'cells': [_cell(0, range(4), 8192), _cell(1, range(4, 8), 8192)]})),
        h.host('one-cell', compute=h.compute(numa_topology={
            'cells': [_cell(0, range(8), 16384)]}))]
    guest = numa_pci.InstanceNUMATopology(cells=[numa_pci.InstanceNUMACell(
        pcpuset=frozenset(range(3)), memory=1024, cpu_policy='dedicated')])
    spec = h.spec(numa_topology=guest)

    counted = _count(('NUMATopologyFilter', ntf.NUMATopologyFilter(
        conf=h.conf())), hosts, spec)

    assert counted.counts.tolist() == [2, 2]
    assert counted.stopped is None


def test_pci_guests_count_by_devices_left():
    hosts = [h.host('gpus', compute=h.compute(pci_pools=[
        {'vendor_id': '10de', 'product_id': '1eb8', 'count': 3}])),
        h.host('none', compute=h.compute(pci_pools=[]))]
    spec = h.spec(pci_requests=[numa_pci.PCIRequest(
        count=1, spec=[{'vendor_id': '10de'}])])

    counted = _count(('PciPassthroughFilter', ppf.PciPassthroughFilter(
        conf=h.conf())), hosts, spec)

    assert counted.counts.tolist() == [3, 0]
    assert counted.first_trace.reason() == (
        '1 of 2 hosts passed: PciPassthroughFilter 2->1')
