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

"""Build the host states of one request from Placement's answer.

Input is ``GET /allocation_candidates``: ``provider_summaries`` (capacity,
usage, traits and tree of every provider involved) and
``allocation_requests``. Each provider tree root is one host. An allocation
request belongs to the host whose tree supplies its compute resources
(VCPU, PCPU or MEMORY_MB); one without any belongs to every root it
touches.

The answer becomes columns in one pass over the hosts, with no object per
host (``HostStateSet`` makes a ``HostState`` only when one is asked for):
at 10,000 hosts, a loop doing a few dict operations per host is most of a
request's time. The common answer (every request on one provider, one
request per host, no provider below a root) is read with ``map`` over C
functions; anything else takes the general path.

The service fails closed: a root with no known name, or one missing from
the summaries, is not a host.
"""

import collections
import dataclasses
import itertools
import operator

from oslo_log import log as logging

from scheduler.host_state import columns
from scheduler.host_state import facts as host_facts
from scheduler.host_state import host_set as host_sets
from scheduler.host_state import rows as answer_rows

LOG = logging.getLogger(__name__)

COMPUTE_CLASSES = frozenset(('VCPU', 'PCPU', 'MEMORY_MB'))

_ROOT_OF = operator.attrgetter('root_provider_uuid')
_TRAITS = operator.attrgetter('traits')
_RESOURCES = operator.attrgetter('resources')
_SERVICE_HOST = operator.attrgetter('service_host')
# No host facts: one mapping, so that the rows of one answer serve the next.
_NO_FACTS = {}


class Memory:
    """What a driver keeps of one request's host states for the next.

    ``facts``: the last fact table (``columns.FactTableMemory``);
    ``rows``: the last answers' rows (``rows.RowMemory``), for ``size``
    queries (``[scheduler] remembered_answers``).
    """

    def __init__(self, size=4):
        self.facts = columns.FactTableMemory()
        self.rows = answer_rows.RowMemory(size)


class Grouped:
    """Placement's allocation requests grouped by the host they are for.

    ``roots``: the host (root provider) uuids, in Placement's order;
    ``requests``: per root, its allocation requests; ``trees``: for the
    roots with providers below them, ``{root: {provider: resources}}``.
    """

    def __init__(self, roots, requests, trees, simple=False,
                 summaries=None, rows=None):
        self.roots = roots
        self.requests = requests
        self.trees = trees
        # The common answer: every root is in the summaries, and
        # ``summaries`` are theirs, in order.
        self.simple = simple
        self.summaries = summaries
        # The common answer: its ``rows.Rows``.
        self.rows = rows


def _simple(candidates):
    """``Grouped`` of the common answer, or None if this one is not."""
    summaries = candidates.provider_summaries
    requests = candidates.allocation_requests
    allocations = list(map(operator.itemgetter('allocations'), requests))
    # The keys of every request's allocations, in order: one each only if
    # there are as many as requests and none is empty.
    providers = list(itertools.chain.from_iterable(allocations))
    if (not allocations or len(providers) != len(allocations) or
            not all(allocations)):
        return None
    if len(summaries) != len(providers):
        return None
    root_summaries = list(map(summaries.__getitem__, providers))
    roots = list(map(_ROOT_OF, root_summaries))
    # Every provider its own root, one request each, and nothing else in
    # the summaries (no child providers, no sharing providers). Placement
    # lists the summaries in the requests' order: then the providers are
    # the summaries' keys, which are unique.
    if roots != providers or (list(summaries) != providers and
                              len(set(providers)) != len(providers)):
        return None
    return Grouped(providers, host_sets.OneRequestEach(requests), {},
                   simple=True, summaries=root_summaries,
                   rows=answer_rows.Rows(requests, providers, root_summaries,
                                         source=summaries,
                                         key=candidates.query))


def _general(candidates):
    summaries = candidates.provider_summaries
    root_of = {rp: (s.root_provider_uuid or rp)
               for rp, s in summaries.items()}
    by_root = collections.defaultdict(list)
    for ar in candidates.allocation_requests:
        allocations = ar['allocations']
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
    trees = {}
    for rp, root in root_of.items():
        if rp != root and root in by_root:
            tree = trees.get(root)
            if tree is None:
                root_summary = summaries.get(root)
                tree = trees[root] = {
                    root: root_summary.resources if root_summary else {}}
            tree[rp] = summaries[rp].resources
    return Grouped(list(by_root), list(by_root.values()), trees)


def group(candidates, memory=None):
    """``Grouped`` allocation requests of ``candidates``, by host.

    :param memory: the caller's ``rows.RowMemory``: the last answer's rows
        serve where this one has the same.
    """
    rows = memory.reuse(candidates) if memory is not None else None
    if rows is not None:
        return Grouped(rows.keys, host_sets.OneRequestEach(rows.requests),
                       {}, simple=True, summaries=rows.summaries, rows=rows)
    return _simple(candidates) or _general(candidates)


def _usable(grouped, names, summaries):
    """``(roots, host names, requests)`` of the roots that are hosts."""
    roots, requests = grouped.roots, grouped.requests
    host_names = list(map(names.get, roots))
    if None not in host_names and (grouped.simple or
                                   all(map(summaries.__contains__, roots))):
        return roots, host_names, requests
    keep = []
    for i, (root, name) in enumerate(zip(roots, host_names)):
        if not name or root not in summaries:
            LOG.warning('Provider %s is not a usable host (%s); skipped.',
                        root, 'no name' if not name else 'no summary')
        else:
            keep.append(i)
    return ([roots[i] for i in keep], [host_names[i] for i in keep],
            [requests[i] for i in keep])


def build_host_states(candidates, names, cell_uuid, aggregates=None,
                      zones=None, default_zone=None, facts=None,
                      grouped=None, absent_traits=(), fact_memory=None,
                      row_memory=None):
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
    :param grouped: ``group(candidates)`` if the caller has it already.
    :param absent_traits: traits the query forbade on the root provider
        (``root_forbidden``): no candidate host has them.
    :param fact_memory: a ``columns.FactTableMemory`` the set starts its
        fact table from, and leaves it in.
    :param row_memory: a ``rows.RowMemory`` (the one ``group`` had): the
        rows the last answer shares with this one are not read again.
    """
    summaries = candidates.provider_summaries
    if grouped is None:
        grouped = group(candidates, row_memory)
    facts = facts or _NO_FACTS
    rows = grouped.rows
    if row_memory is not None and rows is not None:
        if rows.fill(names, facts):
            row_memory.remember(rows)
            return host_sets.HostStateSet.from_placement(
                uuids=rows.keys, host_names=rows.host_names,
                facts=rows.node_facts, traits=rows.traits,
                resources=rows.resources, requests=grouped.requests,
                cell_uuid=cell_uuid, zones=zones, default_zone=default_zone,
                aggregates=aggregates, absent_traits=absent_traits,
                fact_memory=fact_memory, rows=rows)
        row_memory.forget(rows.key)
    roots, host_names, requests = _usable(grouped, names, summaries)
    if grouped.summaries is not None and roots is grouped.roots:
        root_summaries = grouped.summaries
    else:
        root_summaries = list(map(summaries.__getitem__, roots))
    trees = {}
    if grouped.trees:
        index_of = {root: i for i, root in enumerate(roots)}
        trees = {index_of[root]: tree for root, tree in grouped.trees.items()
                 if root in index_of}
    node_facts = list(map(facts.get, host_names,
                          itertools.repeat(host_facts.UNKNOWN)))
    node_names = None
    if _named_apart(node_facts, host_names):
        node_names = host_names
        host_names, node_facts = _service_hosts(node_names, node_facts,
                                                facts)
    return host_sets.HostStateSet.from_placement(
        uuids=roots, host_names=host_names, node_names=node_names,
        facts=node_facts,
        traits=list(map(_TRAITS, root_summaries)),
        resources=list(map(_RESOURCES, root_summaries)),
        requests=requests, trees=trees, cell_uuid=cell_uuid, zones=zones,
        default_zone=default_zone, aggregates=aggregates,
        absent_traits=absent_traits, fact_memory=fact_memory)


def _named_apart(node_facts, node_names):
    """Whether a node's compute record names another service host.

    Maps over C functions, not a loop: this runs over every host of every
    request.
    """
    hosts = list(map(_SERVICE_HOST, node_facts))
    if hosts == node_names or hosts.count(None) == len(hosts):
        return False
    apart = set(itertools.compress(hosts, map(operator.ne, hosts,
                                              node_names)))
    apart.discard(None)
    return bool(apart)


def _service_hosts(node_names, node_facts, facts):
    """Service host names, and facts, of nodes not named as their host.

    Providers are named after their node; Nova keys aggregates and
    instances by the nova-compute service's host, which the node's compute
    record names. Such a node gets its host's facts with its own compute
    record (a new record each request: only these nodes pay for it).
    """
    hosts, merged = [], []
    for name, record in zip(node_names, node_facts):
        host = record.compute.host if record.compute is not None else None
        if not host or host == name:
            hosts.append(name)
            merged.append(record)
            continue
        hosts.append(host)
        of_host = facts.get(host, host_facts.UNKNOWN)
        merged.append(dataclasses.replace(
            of_host, compute=record.compute,
            cell_uuid=record.cell_uuid or of_host.cell_uuid))
    return hosts, merged
