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
size). Within a multi-create, the instances already placed on the host
are fitted first and their use counted. Not modelled (Nova's
``numa_fit_instance_to_host`` does more):
huge-page pools per size, the ``isolate`` thread policy's sibling
accounting, emulator-thread reservations, PCI and network NUMA affinity.

Facts missing: a host without a reported topology fails a request that
has one (as Nova); a host without compute details passes only when no
source reports them (``compute_facts``).
"""

import itertools

from scheduler.filters import compute_facts
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


def _consume(guest, cell):
    """A copy of host ``cell`` with ``guest``'s use added."""
    cell = dict(cell)
    if guest.dedicated:
        wanted = len(guest.pcpuset) or len(guest.cpuset)
        pinned = set(cell.get('pinned_cpus') or ())
        free = sorted(set(cell.get('pcpuset') or ()) - pinned)
        cell['pinned_cpus'] = sorted(pinned | set(free[:wanted]))
    else:
        cell['cpu_usage'] = cell.get('cpu_usage', 0) + len(guest.cpuset)
    cell['memory_usage'] = cell.get('memory_usage', 0) + guest.memory
    return cell


def _place(guests, cells, cpu_ratio, ram_ratio):
    """``cells`` after placing ``guests`` on distinct cells, or None."""
    for chosen in itertools.permutations(range(len(cells)), len(guests)):
        if all(_fits(g, cells[i], cpu_ratio, ram_ratio)
               for g, i in zip(guests, chosen)):
            cells = list(cells)
            for g, i in zip(guests, chosen):
                cells[i] = _consume(g, cells[i])
            return cells
    return None


def fits_host(requested, topology, count=1):
    """Whether ``count`` instances of ``requested`` fit, one after another.

    Each instance's guest cells go to distinct host cells; what an
    instance takes is gone for the next (``count`` - 1 are the instances
    of the same multi-create placed there already, as Nova's host state
    consumes them).
    """
    cells = list(topology.get('cells') or ())
    guests = list(requested.cells)
    if len(guests) > len(cells):
        return False
    cpu_ratio = float(topology.get('cpu_allocation_ratio', 1.0))
    ram_ratio = float(topology.get('ram_allocation_ratio', 1.0))
    for _ in range(count):
        cells = _place(guests, cells, cpu_ratio, ram_ratio)
        if cells is None:
            return False
    return True


class NUMATopologyFilter(compute_facts.ComputeFactsFilter):
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
        if self.unjudged(host_state):
            return True
        compute = utils.compute(host_state)
        topology = compute.numa_topology if compute else None
        if topology and self._needs_threads(spec) and not _has_threads(
                topology):
            return False
        requested = spec.numa_topology
        if not requested or not requested.cells:
            return True
        return bool(topology) and fits_host(requested, topology,
                                            host_state.placed + 1)
