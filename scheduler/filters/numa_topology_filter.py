"""NUMATopologyFilter: hosts whose NUMA cells can hold the guest's.

As in Nova: a request with a NUMA topology (``RequestSpec.numa_topology``)
needs a host reporting one, and each guest cell must fit a distinct host
cell; a request without one passes everywhere. A dedicated-CPU request
with the ``require`` thread policy (flavor ``hw:cpu_thread_policy`` or
image ``hw_cpu_thread_policy``) needs a host with hyper-threads (a cell
whose ``siblings`` hold more than one CPU).

Host topology (``ComputeFacts.numa_topology``): ``{'cells': [cell]}``,
each cell with Nova's NUMACell field names: ``id``, ``cpuset`` and
``pcpuset`` (lists of CPU ids), ``memory`` (MiB), ``cpu_usage``,
``memory_usage``, ``pinned_cpus``, ``siblings``; optional top-level
``cpu_allocation_ratio`` and ``ram_allocation_ratio`` (default 1.0: the
cell is not over-committed when the ratios are not reported).

A guest cell fits a host cell when: shared CPUs -- its ``cpuset`` is no
larger than the host cell's ``cpuset`` and ``cpu_usage`` plus it stays
within ``len(cpuset) * cpu_allocation_ratio``; dedicated CPUs -- the host
cell has that many ``pcpuset`` CPUs not in ``pinned_cpus``; memory --
``memory_usage`` plus its memory stays within ``memory *
ram_allocation_ratio`` (no over-commit with dedicated CPUs or a page
size). Not modelled (Nova's ``numa_fit_instance_to_host`` does more):
huge-page pools per size, the ``isolate`` thread policy's sibling
accounting, emulator-thread reservations, PCI and network NUMA affinity.

Facts missing: a host without a reported topology fails a request that
has one (as Nova).
"""

import itertools

from scheduler.filters import base
from scheduler.filters import utils

REQUIRE = 'require'


def _has_threads(topology):
    return any(len(siblings) > 1 for cell in topology.get('cells', ())
               for siblings in cell.get('siblings') or ())


def _fits(guest, cell, cpu_ratio, ram_ratio):
    cpuset = cell.get('cpuset') or ()
    if guest.dedicated:
        wanted = len(guest.pcpuset) or len(guest.cpuset)
        free = set(cell.get('pcpuset') or ()) - set(
            cell.get('pinned_cpus') or ())
        if wanted > len(free):
            return False
    else:
        wanted = len(guest.cpuset)
        if wanted > len(cpuset):
            return False
        if cell.get('cpu_usage', 0) + wanted > len(cpuset) * cpu_ratio:
            return False
    strict = guest.dedicated or guest.pagesize
    limit = cell.get('memory', 0) * (1.0 if strict else ram_ratio)
    return cell.get('memory_usage', 0) + guest.memory <= limit


def fits_host(requested, topology):
    """Whether every guest cell fits a distinct host cell."""
    cells = list(topology.get('cells') or ())
    guests = list(requested.cells)
    if len(guests) > len(cells):
        return False
    cpu_ratio = float(topology.get('cpu_allocation_ratio', 1.0))
    ram_ratio = float(topology.get('ram_allocation_ratio', 1.0))
    for chosen in itertools.permutations(cells, len(guests)):
        if all(_fits(g, c, cpu_ratio, ram_ratio)
               for g, c in zip(guests, chosen)):
            return True
    return False


class NUMATopologyFilter(base.BaseHostFilter):
    """Passes hosts whose NUMA cells fit the requested guest cells."""

    @staticmethod
    def _needs_threads(spec):
        specs = spec.flavor.extra_specs or {}
        props = spec.image.properties if spec.image else {}
        dedicated = 'dedicated' in (specs.get('hw:cpu_policy'),
                                    props.get('hw_cpu_policy'))
        require = REQUIRE in (specs.get('hw:cpu_thread_policy'),
                              props.get('hw_cpu_thread_policy'))
        return dedicated and require

    def host_passes(self, host_state, spec):
        compute = utils.compute(host_state)
        topology = compute.numa_topology if compute else None
        if topology and self._needs_threads(spec) and not _has_threads(
                topology):
            return False
        requested = spec.numa_topology
        if not requested or not requested.cells:
            return True
        return bool(topology) and fits_host(requested, topology)
