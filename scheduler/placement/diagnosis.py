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

"""Why Placement offered nothing: the query with one constraint relaxed.

When ``GET /allocation_candidates`` answers with no candidate, the query
is asked again with one constraint taken out at a time. A relaxed query
that gets a candidate names a constraint no provider meets together with
the others. This module is plain data: ``constraints`` lists what a query
can have relaxed, ``plan`` picks the ones to ask about within a budget,
``relax`` makes the relaxed query, ``room`` reads the largest free amount
of a resource from an answer's provider summaries. Asking Placement is
``scheduler.cycle.diagnose``; the words are
``scheduler.placement.diagnosis_text``.
"""

import copy
import dataclasses

# What can be relaxed, most telling first: ``plan`` keeps this order when
# the budget is smaller than the query. Resource amounts come first: they
# are what a cloud runs out of most often, and the only constraints whose
# answer carries a number (the largest free amount). Then the traits a
# flavor or image asks for, the aggregates and trees request filters add,
# and last the request-wide shape of the groups.
KINDS = ('resource', 'required', 'any_of', 'forbidden', 'root_required',
         'root_forbidden', 'member_of', 'forbidden_aggregates', 'in_tree',
         'same_subtree', 'group_policy')

# A trait of the root that the request filters add to every query (Nova's
# ComputeFilter in Placement): a host whose compute service is disabled.
DISABLED_TRAIT = 'COMPUTE_STATUS_DISABLED'
# Sharing providers are not hosts: they are not counted as such.
SHARING_TRAIT = 'MISC_SHARES_VIA_AGGREGATE'


@dataclasses.dataclass(frozen=True)
class Constraint:
    """One relaxable constraint of a query.

    ``kind``: one of ``KINDS``; ``suffix``: the request group ('' for the
    unsuffixed one), None for a request-wide constraint; ``value``: the
    resource class, the trait, the set of traits or aggregates, the list
    of suffixes (a tuple), or the policy; ``amount``: a resource's.
    """

    kind: str
    suffix: str | None = None
    value: object = None
    amount: int | None = None


def constraints(query):
    """Every relaxable constraint of ``query``, in ``KINDS`` order."""
    found = []
    groups = sorted(query.groups.items(), key=lambda item: _order(item[0]))
    for suffix, group in groups:
        for rc, amount in group.resources.items():
            found.append(Constraint('resource', suffix, rc, amount))
        for name in sorted(group.required_traits):
            found.append(Constraint('required', suffix, name))
        for names in group.any_traits:
            found.append(Constraint('any_of', suffix, frozenset(names)))
        for name in sorted(group.forbidden_traits):
            found.append(Constraint('forbidden', suffix, name))
        for aggs in group.member_of:
            found.append(Constraint('member_of', suffix, frozenset(aggs)))
        if group.forbidden_aggregates:
            found.append(Constraint('forbidden_aggregates', suffix,
                                    frozenset(group.forbidden_aggregates)))
        if group.in_tree:
            found.append(Constraint('in_tree', suffix, group.in_tree))
    for name in sorted(query.root_required):
        found.append(Constraint('root_required', None, name))
    for name in sorted(query.root_forbidden):
        found.append(Constraint('root_forbidden', None, name))
    for suffixes in query.same_subtree:
        found.append(Constraint('same_subtree', None, tuple(suffixes)))
    if query.group_policy == 'isolate':
        found.append(Constraint('group_policy', None, 'isolate'))
    rank = {kind: i for i, kind in enumerate(KINDS)}
    # sorted() is stable: within a kind, the groups keep their order.
    found = [c for c in found if _relaxable(query, c)]
    return sorted(found, key=lambda c: rank[c.kind])


def _order(suffix):
    # The unsuffixed group first, then the others as the query sends them.
    return (bool(suffix), suffix)


def _relaxable(query, constraint):
    """False for a resource whose relaxed query would ask the same."""
    if constraint.kind != 'resource':
        return True
    return not (_keeps_the_class(query, constraint) and
                constraint.amount <= 1)


def _keeps_the_class(query, constraint):
    """True when a resource is relaxed to one unit, not taken out.

    Taking it out would leave its group without resources, which
    Placement refuses for the unsuffixed group and for a suffixed one not
    named in ``same_subtree``; or leave the query with no resources at
    all. Asking for one unit still tells "too little" from "none".
    """
    group = query.groups[constraint.suffix]
    if len(group.resources) > 1:
        return False
    others = any(g.resources for s, g in query.groups.items()
                 if s != constraint.suffix)
    if not others:
        return True
    if not constraint.suffix:
        return True
    in_subtree = any(constraint.suffix in s for s in query.same_subtree)
    return not in_subtree


def plan(query, budget):
    """``(to_ask, total)``: the constraints to relax within ``budget``.

    ``total`` is how many the query has. When the budget is smaller than
    that and it holds at least two queries, one is kept back for the
    follow-up a blocking constraint gets (``follow_ups``), so that the
    answer can count the providers and give the largest free amount. The
    constraints are taken in ``KINDS`` order: resources before traits,
    aggregates and the shape of the groups.
    """
    found = constraints(query)
    if budget <= 0:
        return [], len(found)
    if len(found) >= budget and budget >= 2:
        budget -= 1
    return found[:budget], len(found)


def relax(query, constraint, limit):
    """A copy of ``query`` without ``constraint``, asking ``limit``.

    A resource whose removal would leave a group Placement refuses is
    asked for one unit instead (``_keeps_the_class``).
    """
    relaxed = copy.deepcopy(query)
    relaxed.limit = limit
    kind, suffix, value = constraint.kind, constraint.suffix, constraint.value
    group = relaxed.groups.get(suffix) if suffix is not None else None
    if kind == 'resource':
        if _keeps_the_class(query, constraint):
            group.resources[value] = 1
        else:
            del group.resources[value]
    elif kind == 'required':
        group.required_traits.discard(value)
    elif kind == 'forbidden':
        group.forbidden_traits.discard(value)
    elif kind == 'any_of':
        group.any_traits = [s for s in group.any_traits if s != value]
    elif kind == 'member_of':
        group.member_of = [s for s in group.member_of if s != value]
    elif kind == 'forbidden_aggregates':
        group.forbidden_aggregates = set()
    elif kind == 'in_tree':
        group.in_tree = None
    elif kind == 'root_required':
        relaxed.root_required.discard(value)
    elif kind == 'root_forbidden':
        relaxed.root_forbidden.discard(value)
    elif kind == 'same_subtree':
        relaxed.same_subtree = [s for s in relaxed.same_subtree
                                if tuple(s) != value]
    elif kind == 'group_policy':
        relaxed.group_policy = 'none'
    else:
        raise ValueError('unknown constraint kind %r' % kind)
    return relaxed


@dataclasses.dataclass
class Room:
    """What an answer's provider summaries say about one resource class.

    ``providers``: providers of the answer's trees (and sharing providers)
    with an inventory of the class; ``largest_free``: the most any of them
    has free, capacity - used (Placement's capacity is (total - reserved)
    * allocation_ratio), None when none has the class.
    """

    providers: int
    largest_free: int | None


def hosts_of(candidates):
    """The root providers (hosts) of ``candidates``' allocation requests."""
    summaries = candidates.provider_summaries
    roots = set()
    for request in candidates.allocation_requests:
        for rp in request.get('allocations') or {}:
            summary = summaries.get(rp)
            if summary is None:
                roots.add(rp)
            elif SHARING_TRAIT not in summary.traits:
                roots.add(summary.root_provider_uuid or rp)
    return roots


def count_hosts(candidates, limit):
    """``(hosts, truncated)`` of an answer asked with ``limit``.

    ``truncated``: the answer reached its limit, there may be more.
    """
    truncated = (limit is not None and
                 len(candidates.allocation_requests) >= limit)
    return len(hosts_of(candidates)), truncated


def room(candidates, resource_class):
    """``Room`` of ``resource_class`` in ``candidates`` (a relaxed answer).

    Read from the provider summaries, which carry every provider of the
    candidates' trees with all its inventories, not only those asked for.
    """
    roots = hosts_of(candidates)
    free = []
    for rp, summary in candidates.provider_summaries.items():
        root = summary.root_provider_uuid or rp
        sharing = SHARING_TRAIT in summary.traits
        if root not in roots and not sharing:
            continue
        inventory = summary.resources.get(resource_class)
        if inventory is None:
            continue
        free.append(inventory.capacity - inventory.used)
    return Room(providers=len(free),
                largest_free=max(free) if free else None)
