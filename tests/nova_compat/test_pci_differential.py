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

"""PCI requests: our filters against Nova 34's own, on random hosts.

Random PCI device pools (vendors, products, PFs, VFs, vDPA, physical
networks, remote-managed and live-migratable tags, NUMA nodes) on hosts
with two NUMA cells on one or two sockets, and random PCI requests (count,
one or two specs, every NUMA affinity policy), with and without a guest
NUMA topology. Nova's PciPassthroughFilter and NUMATopologyFilter judge
the host instance after instance, its host state consuming what each
took (NUMA cells, then PCI devices near them); ours reads the same pools
and topologies as they travel (the compute node's JSON columns, the
RequestSpec primitives) and must let the same number of instances fit,
up to three.
"""

import random

from oslo_serialization import jsonutils

from scheduler.filters import numa_topology_filter
from scheduler.filters import pci_passthrough_filter
from scheduler.host_state import facts as host_facts
from scheduler.host_state import host_state as hs
from scheduler.objects import request_spec
from scheduler.rpc import numa_pci as numa_reader
from scheduler.rpc import readers

CASES = 1200
MAX_INSTANCES = 3
POLICIES = [None, 'legacy', 'required', 'preferred', 'socket']


def _pools(rng, objects):
    pools = []
    for _ in range(rng.randint(1, 5)):
        tags = {'dev_type': rng.choice(['type-PCI', 'type-VF', 'type-VF',
                                        'type-PF', 'vdpa'])}
        if rng.random() < 0.5:
            tags['physical_network'] = rng.choice(['phys1', 'PHYS2'])
        if rng.random() < 0.2:
            tags['remote_managed'] = rng.choice(['true', 'false'])
        if rng.random() < 0.2:
            tags['live_migratable'] = rng.choice(['true', 'false'])
        pools.append(objects.PciDevicePool(
            vendor_id=rng.choice(['8086', '10de']),
            product_id=rng.choice(['1520', '1572']),
            numa_node=rng.choice([0, 1, 1, None]),
            count=rng.randint(1, 4), tags=tags))
    return pools


def _spec(rng):
    spec = {}
    for key, values in (('vendor_id', ['8086', '10de']),
                        ('product_id', ['1520', '1572']),
                        ('dev_type', ['type-VF', 'type-PF', 'type-PCI',
                                      'vdpa']),
                        ('physical_network', ['phys1', 'phys2']),
                        ('remote_managed', ['true', 'false']),
                        ('live_migratable', ['true', 'false'])):
        if rng.random() < (0.6 if key == 'vendor_id' else 0.25):
            spec[key] = rng.choice(values)
    return spec


def _requests(rng, objects):
    return [objects.InstancePCIRequest(
        count=rng.randint(1, 3),
        spec=[_spec(rng) for _ in range(rng.randint(1, 2))],
        numa_policy=rng.choice(POLICIES), alias_name='a',
        request_id=None)
        for _ in range(rng.randint(1, 2))]


def _topology(rng, objects):
    sockets = rng.choice([(0, 0), (0, 1)])
    return objects.NUMATopology(cells=[objects.NUMACell(
        id=i, cpuset={4 * i + c for c in range(4)}, pcpuset=set(),
        memory=8192, cpu_usage=0, memory_usage=0, pinned_cpus=set(),
        siblings=[{4 * i + c} for c in range(4)], socket=sockets[i],
        mempages=[objects.NUMAPagesTopology(size_kb=4, total=8192 * 256,
                                            used=0, reserved=0)])
        for i in range(2)])


class _HostState:
    def __init__(self, topology, pci_stats):
        self.numa_topology = topology
        self.pci_stats = pci_stats
        self.cpu_allocation_ratio = self.ram_allocation_ratio = 1.0
        self.limits = {}
        self.host = self.nodename = 'host'
        self.allocation_candidates = [{'mappings': {}}]


def _nova_count(nova, host_state, spec_args, numa_requested, requests):
    objects, hardware, filters = nova
    count = 0
    for _ in range(MAX_INSTANCES):
        spec = objects.RequestSpec(
            numa_topology=(numa_requested.obj_clone()
                           if numa_requested else None),
            pci_requests=objects.InstancePCIRequests(requests=requests),
            instance_uuid='00000000-0000-0000-0000-000000000001',
            **spec_args)
        passed = True
        for flt in filters:
            host_state.allocation_candidates = [{'mappings': {}}]
            passed = passed and flt.host_passes(host_state, spec)
        if not passed:
            break
        cells = None
        if numa_requested:
            fitted = hardware.numa_fit_instance_to_host(
                host_state.numa_topology, numa_requested.obj_clone(), None,
                limits=objects.NUMATopologyLimits(
                    cpu_allocation_ratio=1.0, ram_allocation_ratio=1.0),
                pci_requests=requests, pci_stats=host_state.pci_stats)
            host_state.numa_topology = (
                hardware.numa_usage_from_instance_numa(
                    host_state.numa_topology, fitted))
            cells = fitted.cells
        host_state.pci_stats.apply_requests(requests, None, cells)
        count += 1
    return count


def _wire(obj):
    return jsonutils.loads(jsonutils.dumps(obj.obj_to_primitive()))


def _our_count(topology, pools, numa_requested, requests):
    compute = host_facts.ComputeFacts(
        numa_topology=readers.plain(_wire(topology)),
        pci_pools=readers.plain(_wire(pools))['objects'],
        cpu_allocation_ratio=1.0, ram_allocation_ratio=1.0)
    spec = request_spec.RequestSpec(
        flavor=request_spec.Flavor(vcpus=1, memory_mb=1024, root_gb=1),
        numa_topology=(numa_reader.NUMA_TOPOLOGY.read(
            _wire(numa_requested), 'numa_topology')
            if numa_requested else None),
        pci_requests=numa_reader.PCI_REQUESTS.read(
            _wire(requests), 'pci_requests'))
    filters = [
        numa_topology_filter.NUMATopologyFilter.__new__(
            numa_topology_filter.NUMATopologyFilter),
        pci_passthrough_filter.PciPassthroughFilter.__new__(
            pci_passthrough_filter.PciPassthroughFilter)]
    for flt in filters:
        flt.compute_expected = True
    for placed in range(MAX_INSTANCES):
        host = hs.HostState('uuid', 'host', 'host', 'cell', {},
                            facts=host_facts.HostFacts(compute=compute))
        host.placed = placed
        if not all(flt.host_passes(host, spec) for flt in filters):
            return placed
    return MAX_INSTANCES


def test_pci_requests_are_judged_as_nova_does():
    from nova import objects
    from nova.pci import stats as pci_stats
    from nova.scheduler.filters import numa_topology_filter as nova_numa
    from nova.scheduler.filters import pci_passthrough_filter as nova_pci
    from nova.virt import hardware
    objects.register_all()
    nova = (objects, hardware, [nova_pci.PciPassthroughFilter(),
                                nova_numa.NUMATopologyFilter()])
    rng = random.Random(4242)
    flavor = objects.Flavor(vcpus=2, memory_mb=1024, root_gb=1,
                            ephemeral_gb=0, swap=0, name='f', flavorid='f',
                            extra_specs={})
    image = objects.ImageMeta.from_dict({'properties': {}})
    compared = []
    for case in range(CASES):
        topology = _topology(rng, objects)
        pools = objects.PciDevicePoolList(objects=_pools(rng, objects))
        requests = _requests(rng, objects)
        numa_requested = None
        if rng.random() < 0.6:
            flavor.extra_specs = {'hw:numa_nodes': str(rng.choice([1, 2]))}
            numa_requested = hardware.numa_get_constraints(flavor, image)
        host_state = _HostState(
            topology, pci_stats.PciDeviceStats(topology, stats=pools))
        theirs = _nova_count(nova, host_state,
                             {'flavor': flavor, 'image': image},
                             numa_requested, requests)
        ours = _our_count(topology, pools, numa_requested,
                          objects.InstancePCIRequests(requests=requests))
        compared.append((case, theirs, ours))
    different = [c for c in compared if c[1] != c[2]]
    assert not different, different[:5]
    assert {theirs for _case, theirs, _ours in compared} == set(
        range(MAX_INSTANCES + 1))
