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

"""PciPassthroughFilter: hosts with the PCI devices the request needs.

As in Nova: a request with PCI requests (``RequestSpec.pci_requests``:
flavor PCI aliases, SR-IOV ports) needs a host whose PCI device pools
(``ComputeFacts.pci_pools``) can serve each request in turn, with Nova's
matching rules (``scheduler.filters.pci_fit``). The devices the instances
of a multi-create already placed on the host took are gone. NUMA
affinity of the devices is NUMATopologyFilter's check, as in Nova. A
request without PCI requests passes everywhere.

Not modelled: PCI devices tracked in Placement (``[filter_scheduler]
pci_in_placement``).

Facts missing: a host without reported pools fails a request for
devices (as Nova), as does a host without compute details
(``compute_facts``).
"""

from scheduler.filters import compute_facts
from scheduler.filters import numa_topology_filter
from scheduler.filters import pci_fit
from scheduler.filters import utils
from scheduler import host_scope


class PciPassthroughFilter(compute_facts.ComputeFactsFilter):
    """Passes hosts whose PCI pools satisfy the request's PCI requests."""

    # The host's pools and the instances placed on it.
    per_host = host_scope.STATE

    def host_passes(self, host_state, spec):
        requests = spec.pci_requests
        if not requests:
            return True
        compute = utils.compute(host_state)
        if compute is None or not compute.pci_pools:
            return False
        return pci_fit.supports(_left(compute, spec, host_state.placed),
                                requests)


def _left(compute, spec, placed):
    """The host's pools less what ``placed`` earlier instances took.

    With NUMA, each took its devices near the cells it got (as Nova's
    host state consumes them), so those instances are fitted again.
    """
    requests = spec.pci_requests
    if placed and spec.numa_topology and compute.numa_topology:
        left = numa_topology_filter.place(
            spec.numa_topology, compute.numa_topology, placed,
            numa_topology_filter.ratio(compute.cpu_allocation_ratio),
            numa_topology_filter.ratio(compute.ram_allocation_ratio),
            compute.pci_pools, requests)
        if left is not None:
            return left[1]
    pools = pci_fit.pools_of(compute.pci_pools)
    for _ in range(placed):
        pci_fit.apply(pools, requests)
    return pools
