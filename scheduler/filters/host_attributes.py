"""A host state seen through the attribute names of Nova's ``HostState``.

ComputeCapabilitiesFilter (``capabilities:<attribute>``) and JsonFilter
(``$<attribute>``) let operators name host attributes as Nova spells
them. This maps those names onto our host state: resource amounts from
Placement's summaries, the rest from the host facts (None when no source
reported them). Every Nova name is a key, so "the host has this
attribute" does not depend on what is known.

Placement reports capacity as ``(total - reserved) * allocation_ratio``,
so ``vcpus_total``/``total_usable_ram_mb`` here already include the
allocation ratios and the reserved amounts.
"""

from scheduler.host_state import host_state as hs


def _compute_fields(compute):
    if compute is None:
        return dict.fromkeys(
            ('hypervisor_type', 'hypervisor_version', 'hypervisor_hostname',
             'cpu_info', 'supported_instances', 'numa_topology', 'metrics',
             'host_ip', 'num_instances', 'num_io_ops', 'failed_builds',
             'pci_stats'), None) | {'stats': {}}
    stats = dict(compute.stats or {})
    return {
        'hypervisor_type': compute.hypervisor_type,
        'hypervisor_version': compute.hypervisor_version,
        'hypervisor_hostname': compute.hypervisor_hostname,
        'cpu_info': compute.cpu_info,
        'supported_instances': compute.supported_instances,
        'numa_topology': compute.numa_topology,
        'metrics': compute.metrics,
        'host_ip': compute.host_ip,
        'num_instances': stats.get('num_instances'),
        'num_io_ops': stats.get('num_io_ops'),
        'failed_builds': stats.get('failed_builds'),
        'pci_stats': compute.pci_pools,
        'stats': stats,
    }


def attributes(host_state):
    """``{Nova HostState attribute name: value}`` for ``host_state``."""
    result = {
        'host': host_state.host,
        'nodename': host_state.nodename,
        'uuid': host_state.uuid,
        'cell_uuid': host_state.cell_uuid,
        'availability_zone': host_state.availability_zone,
        'free_ram_mb': host_state.free(hs.MEMORY_MB),
        'free_disk_mb': host_state.free(hs.DISK_GB) * 1024,
        'total_usable_ram_mb': host_state.capacity.get(hs.MEMORY_MB, 0),
        'total_usable_disk_gb': host_state.capacity.get(hs.DISK_GB, 0),
        'disk_mb_used': host_state.used.get(hs.DISK_GB, 0) * 1024,
        'vcpus_total': host_state.capacity.get(hs.VCPU, 0),
        'vcpus_used': host_state.used.get(hs.VCPU, 0),
        'aggregates': [agg.metadata for agg in
                       host_state.facts.aggregates],
    }
    result.update(_compute_fields(host_state.facts.compute))
    return result
