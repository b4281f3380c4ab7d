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

"""Fitting a guest NUMA topology onto a host's, with Nova's rules.

The behaviour of Nova's ``numa_fit_instance_to_host`` as its scheduler
uses it (written from its documented behaviour and checked against it by
``tests/nova_compat/test_numa_differential.py``):

- every guest cell goes to a distinct host cell; host cells are tried in
  Nova's default order (``[compute]
  packing_host_numa_cells_allocation_strategy = False``: most free memory
  first, then least used shared CPUs, or most free dedicated CPUs for a
  pinned guest), every permutation until one fits;
- memory: an explicit page size (``hw:mem_page_size``: small, large, any
  or a size in KiB) needs that many free pages of a size the cell has,
  the guest's memory a whole number of pages; without one, a cell
  reporting page pools needs the memory in its smallest pages (free pages
  for pinned guests, total pages otherwise), and a cell without pools
  needs free memory for a pinned guest, enough memory for a shared one;
- dedicated CPUs (``dedicated`` and ``mixed`` policies) are pinned onto
  free host CPUs by sibling sets with the thread policy's rules
  (``isolate``: one thread of wholly free cores, ``require``: sibling
  threads, ``prefer``/unset: siblings first, then any free CPU), plus one
  more free CPU on the first cell for isolated emulator threads;
- shared CPUs and memory stay within the cell's size times the host's CPU
  and RAM allocation ratios.

``consume`` adds what a fitted guest takes to the host cells, as Nova's
host state does between the instances of a multi-create.

Two properties of Nova's search are kept, since they decide which hosts
pass: a page size keyword sticks to the first size found, and results are
remembered by guest cell ids that change during the search (``fit``).

With the host's PCI pools and the request's PCI requests, host cells
with devices come first for a guest asking for some (last for one that
does not), and the cells chosen must give the devices the NUMA affinity
their policy asks for (``scheduler.filters.pci_fit``).

Not modelled: network NUMA affinity (``NetworkMetadata``: physnets and
tunnels bound to NUMA nodes).
"""

import collections
import dataclasses
import itertools

from scheduler.filters import pci_fit

DEDICATED = 'dedicated'
MIXED = 'mixed'
SHARED = 'shared'
ISOLATE = 'isolate'
REQUIRE = 'require'
PINNED_POLICIES = (DEDICATED, MIXED)

# hw:mem_page_size keywords, as Nova encodes them in InstanceNUMACell.
PAGES_SMALL = -1
PAGES_LARGE = -2
PAGES_ANY = -3


class NoSuchPageSize(Exception):
    """The host cell has no pool of the page size asked for."""


@dataclasses.dataclass
class Pages:
    """One page pool of a host cell (sizes in KiB, counts in pages)."""

    size_kb: int
    total: int
    used: int = 0
    reserved: int = 0

    @property
    def free(self):
        return self.total - self.used - self.reserved


@dataclasses.dataclass
class HostCell:
    """One host NUMA cell, as Nova's compute node reports it."""

    id: int
    cpuset: set
    pcpuset: set
    memory: int
    cpu_usage: int = 0
    memory_usage: int = 0
    pinned_cpus: set = dataclasses.field(default_factory=set)
    siblings: list = dataclasses.field(default_factory=list)
    mempages: list = dataclasses.field(default_factory=list)
    socket: int | None = None

    @classmethod
    def from_plain(cls, data):
        """A cell of a ``NUMATopology`` primitive read as plain data.

        A cell reporting no ``siblings`` (libvirt always does) counts each
        dedicated CPU as a core of its own.
        """
        pcpuset = set(data.get('pcpuset') or ())
        siblings = [set(s) for s in data.get('siblings') or ()]
        return cls(
            id=int(data.get('id', 0)),
            cpuset=set(data.get('cpuset') or ()),
            pcpuset=pcpuset,
            memory=int(data.get('memory') or 0),
            cpu_usage=int(data.get('cpu_usage') or 0),
            memory_usage=int(data.get('memory_usage') or 0),
            pinned_cpus=set(data.get('pinned_cpus') or ()),
            siblings=siblings or [{cpu} for cpu in sorted(pcpuset)],
            socket=data.get('socket'),
            mempages=[Pages(size_kb=int(p['size_kb']),
                            total=int(p.get('total') or 0),
                            used=int(p.get('used') or 0),
                            reserved=int(p.get('reserved') or 0))
                      for p in data.get('mempages') or ()])

    @property
    def free_pcpus(self):
        return self.pcpuset - self.pinned_cpus

    @property
    def avail_memory(self):
        return self.memory - self.memory_usage

    @property
    def smallest_page(self):
        """The smallest page size of the cell's pools (KiB)."""
        return min(p.size_kb for p in self.mempages)

    def pages(self, size_kb):
        for pages in self.mempages:
            if pages.size_kb == size_kb:
                return pages
        raise NoSuchPageSize(size_kb)

    def can_fit_pages(self, size_kb, memory_kb, use_free=True):
        """Whether ``memory_kb`` fits in whole pages of ``size_kb``."""
        pages = self.pages(size_kb)
        available = (pages.free if use_free else pages.total) * size_kb
        return memory_kb <= available and memory_kb % size_kb == 0


def host_cells(topology):
    """``[HostCell]`` of a host ``numa_topology`` (plain data)."""
    return [HostCell.from_plain(c) for c in topology.get('cells') or ()]


@dataclasses.dataclass
class Fitted:
    """Where one guest cell went: host cell, pinned CPUs, page size."""

    cell_index: int
    guest: object
    pinned: set
    reserved: set
    pagesize: int | None


def _pinned(guest):
    return guest.cpu_policy in PINNED_POLICIES


def _page_size(cell, memory, wanted):
    """The page size ``memory`` MiB get in ``cell``; None if none fits.

    :param wanted: a size in KiB, or PAGES_SMALL, PAGES_LARGE, PAGES_ANY.
    :raises: NoSuchPageSize for a size in KiB the cell has no pool of.
    """
    sizes = sorted((p.size_kb for p in cell.mempages), reverse=True)
    if wanted == PAGES_SMALL:
        sizes = sizes[-1:]
    elif wanted == PAGES_LARGE:
        sizes = sizes[:-1]
    elif wanted != PAGES_ANY:
        sizes = [wanted]
    for size in sizes:
        if cell.can_fit_pages(size, memory * 1024):
            return size
    return None


def _pinning(threads, sibling_sets, vcpus):
    """``[(vcpu, pcpu)]`` using ``threads`` CPUs of each set, or None."""
    if threads * len(sibling_sets) < len(vcpus):
        return None
    usable = itertools.chain.from_iterable(
        list(s)[:threads] for s in sibling_sets)
    return list(zip(sorted(vcpus), usable))


def _reserve(sibling_sets, pinning, count, isolate=False):
    """``count`` more free CPUs outside ``pinning`` (None if not found).

    With ``isolate``, not on a core ``pinning`` uses at all.
    """
    if not pinning or not count:
        return None
    usable = [list(s) for s in sibling_sets]
    for _vcpu, pcpu in pinning:
        for core in usable:
            if pcpu in core:
                if isolate:
                    usable.remove(core)
                else:
                    core.remove(pcpu)
                break
    return set(list(itertools.chain.from_iterable(usable))[:count]) or None


def _pin(cell, guest, reserve):
    """``(pinning, reserved)`` of ``guest``'s dedicated CPUs, or None."""
    threads_per_core = max(map(len, cell.siblings), default=0) or 1
    free = cell.free_pcpus
    by_threads = collections.defaultdict(list)
    for core in (s & free for s in cell.siblings):
        for threads in range(1, len(core) + 1):
            by_threads[threads].append(core)
    vcpus = guest.pcpuset
    policy = guest.cpu_thread_policy
    pinning = reserved = None
    if policy == ISOLATE:
        if threads_per_core not in by_threads:
            return None
        if threads_per_core != 1 and cell.pcpuset != cell.cpuset:
            # A host with threads cannot give an isolated guest whole
            # cores unless its CPUs are not split (legacy vcpu_pin_set).
            return None
        pinning = _pinning(1, by_threads[threads_per_core], vcpus)
        reserved = _reserve(by_threads[1], pinning, reserve, isolate=True)
    else:
        if policy == REQUIRE and threads_per_core <= 1:
            return None
        threads = 1
        for threads, cores in sorted(by_threads.items(), reverse=True):
            if policy == REQUIRE and threads <= 1:
                continue
            pinning = _pinning(threads, cores, vcpus)
            reserved = _reserve(by_threads[1], pinning, reserve)
            if pinning is not None and not (reserve and not reserved):
                break
        else:
            if policy != REQUIRE and not pinning:
                singles = [{cpu} for cpu in
                           itertools.chain.from_iterable(by_threads[1])]
                pinning = _pinning(threads, singles, vcpus)
                reserved = _reserve(singles, pinning, reserve)
    if pinning is None or (reserve and not reserved):
        return None
    return pinning, reserved or set()


def fit_cell(cell, guest, cpu_ratio, ram_ratio, reserve, pagesize,
             chosen_pagesize):
    """``(pinned, reserved, pagesize)`` of ``guest`` in ``cell``, or None.

    :param reserve: dedicated CPUs to keep free beside the guest's (1 on
        the first cell of a guest with isolated emulator threads).
    :param pagesize: the page size asked for (None: none), which in
        Nova's search may differ from the guest's own (see ``fit``).
    :param chosen_pagesize: called with the page size found for the
        guest's memory, before the CPUs are checked.
    :raises: NoSuchPageSize when asked for a page size the cell lacks.
    """
    pinned_guest = _pinned(guest)
    if pagesize:
        pagesize = _page_size(cell, guest.memory, pagesize)
        if not pagesize:
            return None
        chosen_pagesize(pagesize)
    elif cell.mempages:
        if not cell.can_fit_pages(cell.smallest_page, guest.memory * 1024,
                                  use_free=pinned_guest):
            return None
    elif pinned_guest:
        if cell.avail_memory < guest.memory:
            return None
    elif cell.memory < guest.memory:
        return None
    if pinned_guest and len(guest.pcpuset) + reserve > len(cell.pcpuset):
        return None
    if guest.cpu_policy != DEDICATED and len(guest.cpuset) > len(
            cell.cpuset):
        return None
    pinned = set()
    reserved = set()
    if pinned_guest:
        if len(guest.pcpuset) + reserve > len(cell.free_pcpus):
            return None
        placed = _pin(cell, guest, reserve)
        if placed is None:
            return None
        pinning, reserved = placed
        pinned = {pcpu for _vcpu, pcpu in pinning}
    if guest.cpu_policy != DEDICATED:
        if cell.cpu_usage + len(guest.cpuset) > len(cell.cpuset) * cpu_ratio:
            return None
        if cell.memory_usage + guest.memory > cell.memory * ram_ratio:
            return None
    return pinned, reserved, pagesize or None


def _ordered(cells, guests, pci_pools, pci_requests):
    """Host cell indices in the order Nova tries them (spread).

    Last, by PCI devices on the cell: most first for a guest asking for
    devices, fewest first for one that does not.
    """
    order = list(range(len(cells)))
    if len(cells) <= len(guests):
        return order
    order.sort(key=lambda i: cells[i].avail_memory, reverse=True)
    if guests[0].cpu_policy in (None, SHARED):
        order.sort(key=lambda i: cells[i].cpu_usage)
    else:
        order.sort(key=lambda i: len(cells[i].free_pcpus), reverse=True)
    if pci_pools is not None:
        devices = pci_fit.count_by_node(pci_pools)
        order.sort(key=lambda i: devices.get(cells[i].id, 0),
                   reverse=bool(pci_requests))
    return order


def fit(cells, guests, cpu_ratio=1.0, ram_ratio=1.0,
        emulator_threads_isolated=False, pci_pools=None, pci_requests=()):
    """``[Fitted]`` per guest cell in order, or None if they do not fit.

    With the host's PCI pools (``pci_fit.pools_of``) and the request's
    PCI requests, the cells chosen must also give the devices the NUMA
    affinity their policy asks for.

    As Nova's search: a page size keyword (small, large, any) becomes the
    size found in the first cell where the memory fits, for the rest of
    the search, even if that cell then fails on CPUs; and what was learnt
    of a (host cell, guest cell) pair is kept by the guest cell's id,
    which becomes the id of the host cell it last fitted.
    """
    if not guests or len(cells) < len(guests):
        return None
    ids = [guest.id for guest in guests]
    pagesizes = [guest.pagesize for guest in guests]
    fitted_pairs = {}
    failed_pairs = set()
    order_of_cells = _ordered(cells, guests, pci_pools, pci_requests)
    for order in itertools.permutations(order_of_cells, len(guests)):
        result = []
        for position, (i, guest) in enumerate(zip(order, guests)):
            key = (cells[i].id, ids[position])
            if key in failed_pairs:
                break
            got = fitted_pairs.get(key)
            if got is None:
                reserve = 1 if emulator_threads_isolated and not position \
                    else 0
                try:
                    got = fit_cell(
                        cells[i], guest, cpu_ratio, ram_ratio, reserve,
                        pagesizes[position],
                        lambda size, p=position: pagesizes.__setitem__(
                            p, size))
                except NoSuchPageSize:
                    got = None
                if got is None:
                    failed_pairs.add(key)
                    break
                fitted_pairs[key] = got
            ids[position] = cells[i].id
            pinned, reserved, pagesize = got
            result.append(Fitted(i, guest, pinned, reserved, pagesize))
        if len(result) != len(guests):
            continue
        if pci_requests and pci_pools is not None and not pci_fit.supports(
                pci_pools, pci_requests, [cells[i].id for i in order],
                cells):
            continue
        return result
    return None


def consume(cells, fitted):
    """``cells`` with what the ``fitted`` guest cells take (new objects)."""
    cells = [dataclasses.replace(c, pinned_cpus=set(c.pinned_cpus),
                                 mempages=[dataclasses.replace(p)
                                           for p in c.mempages])
             for c in cells]
    for placed in fitted:
        cell = cells[placed.cell_index]
        guest = placed.guest
        if cell.mempages:
            size = placed.pagesize or cell.smallest_page
            try:
                pages = cell.pages(size)
                pages.used = max(0, int(pages.used +
                                        guest.memory * 1024 / size))
            except NoSuchPageSize:
                pass
        cell.memory_usage += guest.memory
        cell.cpu_usage += len(guest.cpuset)
        if not _pinned(guest):
            continue
        taken = placed.pinned | placed.reserved
        if guest.cpu_thread_policy == ISOLATE:
            # Whole cores: the sibling sets holding a taken CPU.
            cores = [core for core in cell.siblings if core & taken]
            taken = set().union(*cores)
        cell.pinned_cpus |= taken
    return cells
