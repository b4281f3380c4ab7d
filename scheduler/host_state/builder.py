"""Build the host states of one request from Placement's answer.

Input is ``GET /allocation_candidates``: ``provider_summaries`` (capacity,
usage, traits and tree of every provider involved) and
``allocation_requests``. Each provider tree root is one host. An allocation
request belongs to the host whose tree supplies its compute resources
(VCPU, PCPU or MEMORY_MB); one without any belongs to every root it
touches.

The service fails closed: a root with no known name, or one missing from
the summaries, is not a host.
"""

import collections

from oslo_log import log as logging

from scheduler.host_state import host_state as hs

LOG = logging.getLogger(__name__)

COMPUTE_CLASSES = frozenset(('VCPU', 'PCPU', 'MEMORY_MB'))


def _root_of(summaries):
    return {rp: (s.get('root_provider_uuid') or rp)
            for rp, s in summaries.items()}


def _requests_by_root(allocation_requests, root_of):
    by_root = collections.defaultdict(list)
    for ar in allocation_requests:
        allocations = ar.get('allocations', {})
        if len(allocations) == 1:
            # One provider (the common case): its root, whatever it holds.
            (rp,) = allocations
            by_root[root_of.get(rp, rp)].append(ar)
            continue
        # dict.fromkeys: unique, in the order Placement gave them.
        roots = dict.fromkeys(
            root_of.get(rp, rp) for rp, alloc in allocations.items()
            if COMPUTE_CLASSES.intersection(alloc.get('resources', {})))
        if not roots:
            roots = dict.fromkeys(root_of.get(rp, rp) for rp in allocations)
        for root in roots:
            by_root[root].append(ar)
    return by_root


def candidate_roots(candidates):
    """Uuids of the roots that candidates would make hosts, in order."""
    root_of = _root_of(candidates.provider_summaries)
    return list(_requests_by_root(candidates.allocation_requests, root_of))


def _trees(summaries, root_of):
    trees = collections.defaultdict(dict)
    for rp, summary in summaries.items():
        trees[root_of[rp]][rp] = summary.get('resources', {})
    return trees


def build_host_states(candidates, names, cell_uuid, aggregates=None,
                      zones=None, default_zone=None, facts=None):
    """A ``HostStateSet`` of every host that has an allocation request.

    :param candidates: ``Candidates`` (allocation_requests,
        provider_summaries) from Placement.
    :param names: mapping of root provider uuid -> compute node name.
    :param cell_uuid: the cell of every host.
    :param aggregates: optional mapping of host name -> aggregate uuids.
    :param zones: optional mapping of host name -> availability zone.
    :param default_zone: the zone of a host that ``zones`` does not name.
    :param facts: optional mapping of host name -> ``HostFacts``; a known
        cell or zone there wins over ``cell_uuid`` and ``zones``.
    """
    summaries = candidates.provider_summaries
    root_of = _root_of(summaries)
    by_root = _requests_by_root(candidates.allocation_requests, root_of)
    trees = _trees(summaries, root_of)
    aggregates = aggregates or {}
    zones = zones or {}
    facts = facts or {}
    hosts = []
    for root, requests in by_root.items():
        name = names.get(root)
        if not name or root not in summaries:
            LOG.warning('Provider %s is not a usable host (%s); skipped.',
                        root, 'no name' if not name else 'no summary')
            continue
        known = facts.get(name)
        hosts.append(hs.HostState(
            uuid=root, host=name, nodename=name,
            cell_uuid=(known and known.cell_uuid) or cell_uuid,
            providers=trees[root],
            traits=summaries[root].get('traits', ()),
            aggregates=aggregates.get(name, ()),
            availability_zone=((known and known.availability_zone) or
                               zones.get(name, default_zone)),
            allocation_requests=requests,
            facts=known))
    return hs.HostStateSet(hosts)
