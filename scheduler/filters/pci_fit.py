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

"""PCI device pools against PCI requests, with Nova's rules.

The behaviour of Nova's ``PciDeviceStats.support_requests`` and
``apply_requests`` as its scheduler uses them (written from their
documented behaviour, checked against them by
``tests/nova_compat/test_pci_differential.py``):

- a host's pools (``ComputeFacts.pci_pools``: Nova's PciDevicePool, tags
  flattened into the pool) are tried fewest keys first;
- a request (``count`` devices, any of its ``spec`` dicts) takes devices
  from the pools matching a spec: each spec key equal to the pool's, case
  aside, a list in both meaning "all of these"; ``resource_class``,
  ``traits`` and ``rp_uuids`` are Placement's business and not compared;
- with the guest's NUMA cells known (``numa_cell_ids``), the request's
  ``numa_policy`` decides which pools may serve it: ``required`` only
  pools on those cells; ``legacy`` (the default) those, or else those
  and the pools without NUMA information; ``preferred`` the same, or else
  any pool, local ones first; ``socket`` those, or else the pools on the
  cells' sockets;
- PFs, vDPA and remote-managed devices serve only requests that name them;
  a request naming ``live_migratable`` takes only devices that say the
  same;
- the devices a request takes are gone for the next request, and for the
  next instance of a multi-create.

Not modelled: PCI devices tracked in Placement (``[filter_scheduler]
pci_in_placement``: the allocation candidate's mapping narrows the pools).
"""

from oslo_utils import strutils

IGNORED_SPEC_TAGS = frozenset(('resource_class', 'traits', 'rp_uuids'))
SRIOV_PF = 'type-PF'
VDPA = 'vdpa'
REMOTE_MANAGED = 'remote_managed'
LIVE_MIGRATABLE = 'live_migratable'
LEGACY = 'legacy'
REQUIRED = 'required'
PREFERRED = 'preferred'
SOCKET = 'socket'


def pools_of(pci_pools):
    """Fresh pool dicts of ``ComputeFacts.pci_pools``, in Nova's order.

    A pool read from Nova's database keeps its tags apart (``tags``);
    they are keys of the pool like the others.
    """
    pools = []
    for pool in pci_pools or ():
        flat = {k: v for k, v in pool.items() if k != 'tags'}
        flat.update(pool.get('tags') or {})
        flat['count'] = int(flat.get('count') or 0)
        pools.append(flat)
    pools.sort(key=len)
    return pools


def _equal(pool_value, wanted):
    if isinstance(wanted, list) and isinstance(pool_value, list):
        return all(v in pool_value for v in wanted)
    if isinstance(wanted, str):
        wanted = wanted.lower()
    if isinstance(pool_value, str):
        pool_value = pool_value.lower()
    return pool_value == wanted


def matches(pool, specs):
    """Whether ``pool`` matches any of ``specs``."""
    return any(all(_equal(pool.get(k), v) for k, v in spec.items())
               for spec in specs)


def _count(pools):
    return sum(pool['count'] for pool in pools)


def _on_nodes(pools, nodes):
    return [pool for pool in pools if pool.get('numa_node') in nodes]


def _numa_local(pools, request, numa_cell_ids, host_cells):
    if not numa_cell_ids:
        return pools
    policy = request.numa_policy or LEGACY
    nodes = list(numa_cell_ids)
    local = _on_nodes(pools, nodes)
    if policy == REQUIRED or _count(local) >= request.count:
        return local
    if policy == SOCKET:
        if any(cell.socket is None for cell in host_cells):
            return []
        sockets = {cell.socket for cell in host_cells
                   if cell.id in nodes}
        return _on_nodes(pools, {cell.id for cell in host_cells
                                 if cell.socket in sockets})
    nodes.append(None)
    near = _on_nodes(pools, nodes)
    if policy == LEGACY or _count(near) >= request.count:
        return near
    return sorted(pools, key=lambda pool: pool.get('numa_node') not in nodes)


def _unless_named(pools, request, test):
    """``pools`` without those ``test`` holds for, unless a spec asks."""
    if any(test(spec) for spec in request.spec):
        return pools
    return [pool for pool in pools if not test(pool)]


def _usable(pools, request, numa_cell_ids=None, host_cells=()):
    """The pools that may serve ``request``, or None if too few."""
    specs = [{k: v for k, v in spec.items() if k not in IGNORED_SPEC_TAGS}
             for spec in request.spec]
    pools = [pool for pool in pools if matches(pool, specs)]
    if _count(pools) < request.count:
        return None
    pools = _numa_local(pools, request, numa_cell_ids, host_cells)
    if _count(pools) < request.count:
        return None
    pools = _unless_named(pools, request,
                          lambda d: d.get('dev_type') == SRIOV_PF)
    if _count(pools) < request.count:
        return None
    pools = _unless_named(pools, request,
                          lambda d: d.get('dev_type') == VDPA)
    pools = _unless_named(pools, request, lambda d: strutils.bool_from_string(
        d.get(REMOTE_MANAGED)))
    for wanted in ('true', 'false'):
        if all(spec.get(LIVE_MIGRATABLE) == wanted for spec in request.spec):
            pools = [pool for pool in pools
                     if pool.get(LIVE_MIGRATABLE) == wanted]
            break
    if _count(pools) < request.count:
        return None
    return pools


def apply(pools, requests, numa_cell_ids=None, host_cells=()):
    """Take the devices of ``requests`` from ``pools`` (changed in place).

    Returns False, with ``pools`` partly taken, if one cannot be served.
    """
    for request in requests:
        usable = _usable(pools, request, numa_cell_ids, host_cells)
        if not usable:
            return False
        wanted = request.count
        for pool in usable:
            if pool['count'] > wanted:
                pool['count'] -= wanted
                wanted = 0
            else:
                wanted -= pool['count']
                pools.remove(pool)
            if not wanted:
                break
    return True


def supports(pools, requests, numa_cell_ids=None, host_cells=()):
    """Whether ``pools`` can serve every one of ``requests``, in order."""
    return apply([dict(pool) for pool in pools], requests, numa_cell_ids,
                 host_cells)


def count_by_node(pools):
    """``{numa node: devices}`` of ``pools``."""
    counts = {}
    for pool in pools:
        node = pool.get('numa_node')
        counts[node] = counts.get(node, 0) + pool['count']
    return counts
