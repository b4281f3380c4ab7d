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

"""NUMA topology and PCI device requests of a ``RequestSpec``.

Nova's API builds these from the flavor and image (``hw:numa_nodes``,
``hw:cpu_policy``, PCI aliases, SR-IOV ports) and sends them in the
RequestSpec as ``numa_topology`` (InstanceNUMATopology) and
``pci_requests`` (InstancePCIRequests).
"""

import dataclasses

DEDICATED = 'dedicated'


@dataclasses.dataclass
class InstanceNUMACell:
    """One guest NUMA node.

    Its (shared) ``cpuset``, pinned ``pcpuset``, memory in MiB and the CPU
    and page-size policies.
    """

    id: int = 0
    cpuset: frozenset = frozenset()
    pcpuset: frozenset = frozenset()
    memory: int = 0
    cpu_policy: str | None = None
    cpu_thread_policy: str | None = None
    pagesize: int | None = None

    @property
    def dedicated(self):
        return self.cpu_policy == DEDICATED or bool(self.pcpuset)


@dataclasses.dataclass
class InstanceNUMATopology:
    """The guest's NUMA cells; ``emulator_threads_policy`` share/isolate."""

    cells: list = dataclasses.field(default_factory=list)
    emulator_threads_policy: str | None = None

    @property
    def emulator_threads_isolated(self):
        return self.emulator_threads_policy == 'isolate'


@dataclasses.dataclass(frozen=True)
class NetworkMetadata:
    """The physnets and tunnelled networks of the guest's ports.

    ``RequestSpec.network_metadata``; the compute's claim checks their
    NUMA affinity against the host cells' when a Selection's limits carry
    it.
    """

    physnets: frozenset = frozenset()
    tunneled: bool = False


@dataclasses.dataclass(frozen=True)
class NUMATopologyLimits:
    """What a host's NUMA claim must respect: Nova's NUMATopologyLimits.

    Put in a Selection's limits where NUMATopologyFilter fitted the guest,
    so that the compute's own claim fits it with the same ratios.
    """

    cpu_allocation_ratio: float
    ram_allocation_ratio: float
    network_metadata: NetworkMetadata | None = None


@dataclasses.dataclass
class PCIRequest:
    """``count`` devices matching any of the ``spec`` dicts.

    Spec keys as Nova's PCI specs: vendor_id, product_id, dev_type,
    physical_network, ...
    """

    count: int = 1
    spec: list = dataclasses.field(default_factory=list)
    alias_name: str | None = None
    numa_policy: str | None = None
    request_id: str | None = None
