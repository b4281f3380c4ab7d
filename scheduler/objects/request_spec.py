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

"""Plain, typed model of one scheduling request.

``scheduler.rpc.primitives`` builds these from Nova's object primitives or
from the legacy 4.0 dicts; nothing past the RPC layer sees the wire format.
"""

import dataclasses


@dataclasses.dataclass
class Flavor:
    vcpus: int
    memory_mb: int
    root_gb: int = 0
    ephemeral_gb: int = 0
    swap: int = 0  # MiB, as in Nova
    name: str | None = None
    flavorid: str | None = None
    extra_specs: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Image:
    id: str | None = None
    name: str | None = None
    disk_format: str | None = None
    properties: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class RequestGroup:
    """A group of resources that must come from one provider.

    Arrives in ``RequestSpec.requested_resources`` (ports, accelerators).
    """

    requester_id: str | None = None
    resources: dict[str, int] = dataclasses.field(default_factory=dict)
    required_traits: set[str] = dataclasses.field(default_factory=set)
    forbidden_traits: set[str] = dataclasses.field(default_factory=set)
    aggregates: list[list[str]] = dataclasses.field(default_factory=list)
    forbidden_aggregates: set[str] = dataclasses.field(default_factory=set)
    in_tree: str | None = None
    use_same_provider: bool = True


@dataclasses.dataclass
class Destination:
    host: str | None = None
    node: str | None = None
    cell_uuid: str | None = None
    aggregates: list[str] = dataclasses.field(default_factory=list)
    forbidden_aggregates: set[str] = dataclasses.field(default_factory=set)
    # A cross-cell resize: CrossCellWeigher prefers hosts of cell_uuid.
    allow_cross_cell_move: bool = False


@dataclasses.dataclass
class NetworkRequest:
    """One requested network or port (``RequestSpec.requested_networks``)."""

    network_id: str | None = None
    port_id: str | None = None


@dataclasses.dataclass
class RequestLevelParams:
    root_required: set[str] = dataclasses.field(default_factory=set)
    root_forbidden: set[str] = dataclasses.field(default_factory=set)
    same_subtree: list[list[str]] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class InstanceGroup:
    uuid: str | None = None
    policy: str | None = None
    hosts: list[str] = dataclasses.field(default_factory=list)
    members: list[str] = dataclasses.field(default_factory=list)
    rules: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class RequestSpec:
    """What one select_destinations call asks for."""

    flavor: Flavor
    project_id: str | None = None
    user_id: str | None = None
    num_instances: int = 1
    instance_uuid: str | None = None
    image: Image = dataclasses.field(default_factory=Image)
    availability_zone: str | None = None
    is_bfv: bool = False
    scheduler_hints: dict[str, list] = dataclasses.field(default_factory=dict)
    ignore_hosts: list[str] = dataclasses.field(default_factory=list)
    force_hosts: list[str] = dataclasses.field(default_factory=list)
    force_nodes: list[str] = dataclasses.field(default_factory=list)
    requested_destination: Destination | None = None
    requested_resources: list[RequestGroup] = dataclasses.field(
        default_factory=list)
    request_level_params: RequestLevelParams = dataclasses.field(
        default_factory=RequestLevelParams)
    instance_group: InstanceGroup | None = None
    requested_networks: list[NetworkRequest] = dataclasses.field(
        default_factory=list)
    # Hosts already tried for this instance (SchedulerRetries.hosts).
    retry_hosts: list[str] = dataclasses.field(default_factory=list)
    # scheduler.objects.numa_pci: InstanceNUMATopology or None, and
    # [PCIRequest].
    numa_topology: object = None
    pci_requests: list = dataclasses.field(default_factory=list)
    # numa_pci.NetworkMetadata of the requested ports, or None.
    network_metadata: object = None
