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

"""Facts about hosts that Placement does not hold.

Placement knows inventories, usages, traits, aggregate uuids and trees.
Nova's filters and weighers also need aggregate metadata, the instances on
each host, compute-node details and the host's cell. Host-facts sources
(``scheduler.host_facts``: RPC casts, Nova's databases, an operator file)
fill these records; ``HostState.facts`` carries them into the pipeline.

A field left at its default means "not known": a filter that needs a fact
its host lacks fails closed (the host does not pass) unless the filter's
docstring says otherwise.
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class AggregateFacts:
    """A Nova host aggregate: its hosts and metadata."""

    id: int | None = None
    uuid: str | None = None
    name: str | None = None
    hosts: frozenset = frozenset()
    metadata: dict = dataclasses.field(default_factory=dict)

    @property
    def availability_zone(self):
        return self.metadata.get('availability_zone')


@dataclasses.dataclass(frozen=True, slots=True)
class InstanceFacts:
    """An instance known to run on a host (from casts or Nova's DB)."""

    uuid: str
    flavor_id: str | None = None
    project_id: str | None = None
    vm_state: str | None = None
    task_state: str | None = None
    # (name, value as text) pairs of its image's properties, as Nova's
    # ImagePropertiesWeigher reads them from the instance's system
    # metadata; empty where the source does not know them.
    image_properties: frozenset = frozenset()


@dataclasses.dataclass
class ComputeFacts:
    """A compute node and its service, as Nova's host manager sees them.

    ``stats`` holds the compute node's stats dict (``num_instances``,
    ``num_io_ops``, ``failed_builds``, ...); ``metrics`` maps a metric name
    to its value; ``pci_pools`` are Nova's PCI device pools (dicts with
    ``vendor_id``, ``product_id``, ``count``, ``numa_node``, tags...);
    ``numa_topology`` is the host NUMA topology as a plain dict.
    """

    hypervisor_type: str | None = None
    hypervisor_version: int | None = None
    hypervisor_hostname: str | None = None
    # The nova-compute service's host (Selection.service_host): the
    # provider's name is the node's, which differs for Ironic nodes and
    # wherever [DEFAULT] host is not the hypervisor's hostname.
    host: str | None = None
    cpu_info: dict = dataclasses.field(default_factory=dict)
    supported_instances: list = dataclasses.field(default_factory=list)
    numa_topology: dict | None = None
    pci_pools: list = dataclasses.field(default_factory=list)
    metrics: dict = dataclasses.field(default_factory=dict)
    stats: dict = dataclasses.field(default_factory=dict)
    host_ip: str | None = None
    # The compute node's own ratios (Nova's NUMA limits read them).
    cpu_allocation_ratio: float | None = None
    ram_allocation_ratio: float | None = None
    service_up: bool | None = None
    service_disabled: bool | None = None
    service_disabled_reason: str | None = None
    updated_at: float | None = None
    # What filters derive from this record, kept with it for the next
    # request (published records are replaced, never changed).
    derived: dict = dataclasses.field(default_factory=dict, init=False,
                                      repr=False, compare=False)


@dataclasses.dataclass
class HostFacts:
    """Everything the host-facts sources know of one host.

    ``cell_uuid`` and ``availability_zone`` None mean "not known": the
    pipeline then uses ``[scheduler] default_cell_uuid`` and
    ``[DEFAULT] default_availability_zone``. ``instances_known`` says
    whether ``instances`` is the host's whole list (a source reported it)
    or only what was heard of it, so that an empty dict is not taken for
    "no instances"; ``compute`` None means no source reported the compute
    node and its service.
    """

    aggregates: tuple = ()
    instances: dict = dataclasses.field(default_factory=dict)
    instances_known: bool = False
    compute: ComputeFacts | None = None
    cell_uuid: str | None = None
    availability_zone: str | None = None
    # The row ``scheduler.host_state.columns`` derives from this record,
    # kept with it for the next request: published records are replaced,
    # never changed.
    row: tuple | None = dataclasses.field(default=None, init=False,
                                          repr=False, compare=False)
    # The compute record's service host, None without a record: read for
    # every host of every request (``scheduler.host_state.builder``).
    service_host: str | None = dataclasses.field(default=None, init=False,
                                                 repr=False, compare=False)

    def __post_init__(self):
        if self.compute is not None:
            self.service_host = self.compute.host


UNKNOWN = HostFacts()

# The facts a host-facts source may lack, as filters declare what they
# read (``BaseHostFilter.reads_facts``) and sources what they report.
AGGREGATES = 'aggregates'
INSTANCES = 'instances'
COMPUTE = 'compute'

# How NoValidHost calls each missing fact.
DESCRIBED = {
    AGGREGATES: 'aggregate membership',
    INSTANCES: 'instance list',
    COMPUTE: 'compute service and details',
}
