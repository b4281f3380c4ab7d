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

"""NUMA fitting: ours against Nova 34's own, on random hosts and flavors.

For random host NUMA topologies (Nova ``NUMATopology`` objects: cells
with shared and dedicated CPUs, sibling threads, pinned CPUs, usage, 4K
and huge page pools) and random flavors (``hw:numa_nodes``,
``hw:cpu_policy``, ``hw:cpu_thread_policy``, ``hw:mem_page_size``,
``hw:emulator_threads_policy``), Nova turns the flavor into the guest
topology (``hardware.numa_get_constraints``) and its NUMATopologyFilter
judges the host; then instances are placed one after another as Nova's
host state does in a multi-create (fit, then
``numa_usage_from_instance_numa``). Ours reads the same topologies as
they travel (the compute node's JSON column, the RequestSpec primitive)
and must agree on how many instances fit, up to four, and for each on
the host cells, the pinned and reserved CPUs and the page sizes.

Left out, as ``scheduler.filters.numa_fit`` documents: PCI and network
NUMA affinity.
"""

import random

from oslo_serialization import jsonutils

from scheduler.filters import numa_fit
from scheduler.rpc import numa_pci as numa_reader
from scheduler.rpc import readers

CASES = 1500
MAX_INSTANCES = 4


def _host_topology(rng, objects):
    cells = []
    next_cpu = 0
    for cell_id in range(rng.randint(1, 3)):
        threads = rng.choice([1, 2])
        cores = rng.randint(1, 4)
        cpus = list(range(next_cpu, next_cpu + threads * cores))
        next_cpu += len(cpus)
        siblings = [set(cpus[i:i + threads])
                    for i in range(0, len(cpus), threads)]
        split = rng.choice(['dedicated', 'shared', 'both', 'legacy'])
        if split == 'dedicated':
            pcpus, shared = set(cpus), set()
        elif split == 'shared':
            pcpus, shared = set(), set(cpus)
        elif split == 'both':
            half = len(siblings) // 2 or 1
            pcpus = set().union(*siblings[:half])
            shared = set(cpus) - pcpus
        else:
            pcpus = shared = set(cpus)
        pinned = {c for c in pcpus if rng.random() < 0.25}
        memory = rng.choice([2048, 4096, 8192])
        memory_usage = rng.choice([0, 0, 1024, 2048, memory])
        mempages = [objects.NUMAPagesTopology(
            size_kb=4, total=memory * 256,
            used=min(memory_usage, memory) * 256, reserved=0)]
        if rng.random() < 0.5:
            total = rng.randint(0, 4)
            mempages.append(objects.NUMAPagesTopology(
                size_kb=1048576, total=total,
                used=rng.randint(0, total), reserved=0))
        if rng.random() < 0.5:
            total = rng.choice([0, 512, 1024, 2048])
            mempages.append(objects.NUMAPagesTopology(
                size_kb=2048, total=total, used=rng.choice([0, total // 2]),
                reserved=rng.choice([0, 0, 64])))
        cells.append(objects.NUMACell(
            id=cell_id, cpuset=shared, pcpuset=pcpus, memory=memory,
            cpu_usage=rng.randint(0, max(len(shared) * 2, 1)),
            memory_usage=memory_usage, pinned_cpus=pinned,
            siblings=siblings, mempages=mempages, socket=0))
    return objects.NUMATopology(cells=cells)


def _flavor_specs(rng, vcpus, memory_mb):
    specs = {}
    if rng.random() < 0.7:
        nodes = rng.choice([1, 1, 2])
        specs['hw:numa_nodes'] = str(nodes)
        if nodes == 2 and vcpus > 1 and rng.random() < 0.3:
            # Cells of different sizes.
            first = rng.randint(1, vcpus - 1)
            specs['hw:numa_cpus.0'] = ','.join(map(str, range(first)))
            specs['hw:numa_cpus.1'] = ','.join(
                map(str, range(first, vcpus)))
            specs['hw:numa_mem.0'] = str(memory_mb // 4)
            specs['hw:numa_mem.1'] = str(memory_mb - memory_mb // 4)
    policy = rng.choice([None, 'shared', 'dedicated', 'dedicated', 'mixed'])
    if policy == 'mixed':
        if vcpus < 2:
            policy = 'dedicated'
        else:
            specs['hw:cpu_dedicated_mask'] = '^0'
    if policy:
        specs['hw:cpu_policy'] = policy
    if policy in ('dedicated', 'mixed'):
        thread = rng.choice([None, 'prefer', 'isolate', 'require'])
        if thread:
            specs['hw:cpu_thread_policy'] = thread
        if rng.random() < 0.3:
            specs['hw:emulator_threads_policy'] = 'isolate'
    if rng.random() < 0.4:
        specs['hw:mem_page_size'] = rng.choice(
            ['small', 'large', 'any', '2048', '1048576'])
    return specs


def _nova_placements(objects, hardware, numa_filter, host_state, flavor,
                     image, requested):
    """Where Nova's filter and host state put instance after instance.

    Per instance placed: ``[(host cell id, pinned CPUs, reserved CPUs,
    page size)]`` of its guest cells.
    """
    placements = []
    topology = host_state.numa_topology
    limits = objects.NUMATopologyLimits(
        cpu_allocation_ratio=host_state.cpu_allocation_ratio,
        ram_allocation_ratio=host_state.ram_allocation_ratio)
    for _ in range(MAX_INSTANCES):
        host_state.numa_topology = topology
        host_state.allocation_candidates = [{'mappings': {}}]
        spec = objects.RequestSpec(
            flavor=flavor, image=image, numa_topology=requested.obj_clone(),
            pci_requests=objects.InstancePCIRequests(requests=[]),
            instance_uuid='00000000-0000-0000-0000-000000000001')
        if not numa_filter.host_passes(host_state, spec):
            break
        fitted = hardware.numa_fit_instance_to_host(
            topology, requested.obj_clone(), None, limits=limits)
        placements.append([
            (cell.id,
             sorted((cell.cpu_pinning or {}).values())
             if 'cpu_pinning_raw' in cell else [],
             sorted(cell.cpuset_reserved or ())
             if 'cpuset_reserved' in cell else [],
             cell.pagesize if 'pagesize' in cell else None)
            for cell in fitted.cells])
        topology = hardware.numa_usage_from_instance_numa(topology, fitted)
    return placements


def _our_placements(host_topology, requested, cpu_ratio, ram_ratio, specs):
    topology = readers.plain(jsonutils.loads(jsonutils.dumps(
        host_topology.obj_to_primitive())))
    guest = numa_reader.NUMA_TOPOLOGY.read(
        jsonutils.loads(jsonutils.dumps(requested.obj_to_primitive())),
        'numa_topology')
    has_threads = any(len(s) > 1 for c in topology['cells']
                      for s in c['siblings'])
    if (specs.get('hw:cpu_policy') == 'dedicated' and
            specs.get('hw:cpu_thread_policy') == 'require' and
            not has_threads):
        return []
    cells = numa_fit.host_cells(topology)
    placements = []
    for _ in range(MAX_INSTANCES):
        fitted = numa_fit.fit(cells, guest.cells, cpu_ratio, ram_ratio,
                              guest.emulator_threads_isolated)
        if fitted is None:
            break
        placements.append([
            (cells[f.cell_index].id, sorted(f.pinned), sorted(f.reserved),
             f.pagesize) for f in fitted])
        cells = numa_fit.consume(cells, fitted)
    return placements


class _HostState:
    def __init__(self, topology, cpu_ratio, ram_ratio):
        self.numa_topology = topology
        self.cpu_allocation_ratio = cpu_ratio
        self.ram_allocation_ratio = ram_ratio
        self.pci_stats = None
        self.limits = {}
        self.host = self.nodename = 'host'
        self.allocation_candidates = [{'mappings': {}}]


def test_numa_fitting_matches_novas():
    from nova import exception
    from nova import objects
    from nova.scheduler.filters import numa_topology_filter
    from nova.virt import hardware
    objects.register_all()
    rng = random.Random(20261125)
    numa_filter = numa_topology_filter.NUMATopologyFilter()
    compared = []
    crashed = []
    for case in range(CASES):
        host_topology = _host_topology(rng, objects)
        vcpus = rng.choice([1, 2, 4])
        memory_mb = rng.choice([512, 1024, 2048, 4096])
        specs = _flavor_specs(rng, vcpus, memory_mb)
        flavor = objects.Flavor(
            vcpus=vcpus, memory_mb=memory_mb, root_gb=1, ephemeral_gb=0,
            swap=0, extra_specs=specs, name='f', flavorid='f')
        image = objects.ImageMeta.from_dict({'properties': {}})
        try:
            requested = hardware.numa_get_constraints(flavor, image)
        except exception.Invalid:
            continue
        if requested is None:
            continue
        cpu_ratio = rng.choice([1.0, 2.0, 16.0])
        ram_ratio = rng.choice([1.0, 1.5])
        host_state = _HostState(host_topology, cpu_ratio, ram_ratio)
        try:
            nova = _nova_placements(objects, hardware, numa_filter,
                                    host_state, flavor, image, requested)
        except (exception.CPUPinningInvalid, exception.CPUPinningUnknown):
            # Nova's own consumption fails (it re-pins a CPU a cached fit
            # chose on another cell): nothing to compare with.
            crashed.append(case)
            continue
        ours = _our_placements(host_topology, requested, cpu_ratio,
                               ram_ratio, specs)
        compared.append((case, specs, nova, ours))
    different = [c for c in compared if c[2] != c[3]]
    assert not different, different[:5]
    counts = [len(nova) for _case, _specs, nova, _ours in compared]
    # Enough cases, and every outcome from "does not fit" to "fits 4".
    assert len(compared) >= 800
    assert len(crashed) < len(compared) // 20
    assert set(counts) == set(range(MAX_INSTANCES + 1))
