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

import operator

from scheduler.host_state import host_state as hs

# Attributes read from the host itself, not from its compute record.
HOST_ATTRIBUTES = frozenset((
    'host', 'nodename', 'uuid', 'cell_uuid', 'availability_zone',
    'free_ram_mb', 'free_disk_mb', 'total_usable_ram_mb',
    'total_usable_disk_gb', 'disk_mb_used', 'vcpus_total', 'vcpus_used',
    'aggregates'))


def _stat(name):
    return lambda compute: (compute.stats or {}).get(name)


# Nova's name of each compute-record attribute, and how to read it.
_COMPUTE_FIELDS = {
    'hypervisor_type': operator.attrgetter('hypervisor_type'),
    'hypervisor_version': operator.attrgetter('hypervisor_version'),
    'hypervisor_hostname': operator.attrgetter('hypervisor_hostname'),
    'cpu_info': operator.attrgetter('cpu_info'),
    'supported_instances': operator.attrgetter('supported_instances'),
    'numa_topology': operator.attrgetter('numa_topology'),
    'metrics': operator.attrgetter('metrics'),
    'host_ip': operator.attrgetter('host_ip'),
    'num_instances': _stat('num_instances'),
    'num_io_ops': _stat('num_io_ops'),
    'failed_builds': _stat('failed_builds'),
    'pci_stats': operator.attrgetter('pci_pools'),
    'stats': lambda compute: dict(compute.stats or {}),
}


def _compute_fields(compute):
    if compute is None:
        return dict.fromkeys(_COMPUTE_FIELDS, None) | {'stats': {}}
    return {name: read(compute) for name, read in _COMPUTE_FIELDS.items()}


def compute_value(compute, name):
    """``(name is a stat, value)`` of what ``attributes`` shows as ``name``.

    For a name that is not one of the host's own (``HOST_ATTRIBUTES``):
    it depends on the compute record only, so hosts with equal values
    here are equal for a filter reading that name.
    """
    if compute is None:
        return False, None
    stats = compute.stats or {}
    read = _COMPUTE_FIELDS.get(name)
    value = read(compute) if read is not None else None
    if value is None:
        return name in stats, stats.get(name)
    return False, value


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
