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

"""NUMATopologyFilter: hosts whose NUMA cells can hold the guest's.

As in Nova: a request with a NUMA topology (``RequestSpec.numa_topology``)
needs a host reporting one, and the guest's cells must fit the host's
with Nova's rules (``scheduler.filters.numa_fit``: page sizes, CPU
pinning by thread policy, emulator threads, the CPU and RAM allocation
ratios of the compute node, and the NUMA affinity of the PCI devices
asked for); a request without one passes everywhere. A
dedicated-CPU request with the ``require`` thread policy (flavor
``hw:cpu_thread_policy`` or image ``hw_cpu_thread_policy``) needs a host
with hyper-threads, whether or not it has a NUMA topology.

Host topology (``ComputeFacts.numa_topology``): Nova's NUMATopology as
plain data, ``{'cells': [cell]}``, each cell with Nova's NUMACell field
names (``id``, ``cpuset``, ``pcpuset``, ``memory``, ``cpu_usage``,
``memory_usage``, ``pinned_cpus``, ``siblings``, ``mempages``). The
allocation ratios are the compute node's (``ComputeFacts``); where a
source does not report them, 1.0: no over-commit.

Within a multi-create, the instances already placed on the host are
fitted first and what they take is consumed, as Nova's host state does.

Facts missing: a host without a reported topology fails a request that
has one (as Nova), as does a host without compute details
(``compute_facts``).
"""

from scheduler.filters import compute_facts
from scheduler.filters import numa_fit
from scheduler.filters import pci_fit
from scheduler.filters import utils
from scheduler import host_scope
from scheduler.objects import numa_pci


def _has_threads(topology):
    return any(len(siblings) > 1 for cell in topology.get('cells', ())
               for siblings in cell.get('siblings') or ())


def ratio(value):
    """An allocation ratio a source reported; 1.0 (none) if not."""
    return 1.0 if value is None else float(value)


def place(requested, topology, count=1, cpu_ratio=1.0, ram_ratio=1.0,
          pci_pools=None, pci_requests=()):
    """``(host cells, PCI pools)`` left after ``count`` instances, or None.

    Each instance of ``requested`` is fitted, and its cells and PCI
    devices consumed, before the next, as Nova's host state does in a
    multi-create. None if one does not fit.
    """
    cells = numa_fit.host_cells(topology)
    pools = None if pci_pools is None else pci_fit.pools_of(pci_pools)
    for _ in range(count):
        fitted = numa_fit.fit(
            cells, list(requested.cells), cpu_ratio, ram_ratio,
            getattr(requested, 'emulator_threads_isolated', False),
            pools, pci_requests)
        if fitted is None:
            return None
        if pci_requests and pools is not None:
            pci_fit.apply(pools, pci_requests,
                          [cells[f.cell_index].id for f in fitted], cells)
        cells = numa_fit.consume(cells, fitted)
    return cells, pools


def fits_host(requested, topology, count=1, cpu_ratio=1.0, ram_ratio=1.0,
              pci_pools=None, pci_requests=()):
    """Whether ``count`` instances of ``requested`` fit, one after another.

    ``count`` - 1 are the instances of the same multi-create placed on
    the host already.
    """
    return place(requested, topology, count, cpu_ratio, ram_ratio,
                 pci_pools, pci_requests) is not None


class NUMATopologyFilter(compute_facts.ComputeFactsFilter):
    """Passes hosts whose NUMA cells fit the requested guest cells."""

    # The host's topology and the instances placed on it.
    per_host = host_scope.STATE

    @staticmethod
    def _needs_threads(spec):
        specs = spec.flavor.extra_specs or {}
        props = spec.image.properties if spec.image else {}
        dedicated = numa_fit.DEDICATED in (specs.get('hw:cpu_policy'),
                                           props.get('hw_cpu_policy'))
        require = numa_fit.REQUIRE in (specs.get('hw:cpu_thread_policy'),
                                       props.get('hw_cpu_thread_policy'))
        return dedicated and require

    def limits(self, host_state, spec):
        """Nova's NUMATopologyLimits where a guest topology was fitted.

        The compute's claim fits the guest again with these ratios, and
        checks the NUMA affinity of the requested networks.
        """
        compute = utils.compute(host_state)
        requested = spec.numa_topology
        if (not requested or not requested.cells or compute is None or
                not compute.numa_topology):
            return {}
        return {'numa_topology': numa_pci.NUMATopologyLimits(
            cpu_allocation_ratio=ratio(compute.cpu_allocation_ratio),
            ram_allocation_ratio=ratio(compute.ram_allocation_ratio),
            network_metadata=spec.network_metadata)}

    def host_passes(self, host_state, spec):
        compute = utils.compute(host_state)
        topology = compute.numa_topology if compute else None
        if topology and self._needs_threads(spec) and not _has_threads(
                topology):
            return False
        requested = spec.numa_topology
        if not requested or not requested.cells:
            return True
        return bool(topology) and fits_host(
            requested, topology, host_state.placed + 1,
            ratio(compute.cpu_allocation_ratio),
            ratio(compute.ram_allocation_ratio),
            compute.pci_pools, spec.pci_requests)
