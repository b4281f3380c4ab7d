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

"""Step ``host states``: one host state per root provider of the answer.

Provider names come from Placement (cached), the facts Placement does not
hold from the host-facts store. A host that a failed host-facts source
cannot vouch for is left out (fail closed); NoValidHost when none is left.
"""

import numpy as np

from scheduler import exception
from scheduler.host_state import builder


def build(request, placement, host_facts, conf, memory=None,
          described=None):
    """Set ``request.host_set`` from ``request.candidates``.

    :param host_facts: a ``HostFactsStore``, or None (no facts known).
    :param memory: a ``builder.Memory`` the driver keeps from one request
        to the next, or None.
    :param described: what was asked, for NoValidHost (the query string
        when None).
    """
    with request.timed('host states'):
        host_set = _build(request, placement, host_facts, conf, memory)
    if not len(host_set):
        if described is None:
            described = request.query.to_query_string()
        raise exception.NoValidHost(
            'none of the providers Placement returned is a usable host '
            '(no name known) for %s' % described)
    request.host_set = host_set
    return host_set


def _build(request, placement, host_facts, conf, memory):
    candidates = request.candidates
    rows = memory.rows if memory is not None else None
    grouped = builder.group(candidates, rows)
    names = placement.names(grouped.roots)
    facts = None
    if host_facts is not None:
        # filter/map, not a loop: this runs over every host of every call.
        host_facts.catch_up(list(filter(None, map(names.get,
                                                  grouped.roots))))
        facts = host_facts.known_facts()
    absent = request.query.root_forbidden if request.query else ()
    host_set = builder.build_host_states(
        candidates, names, conf.scheduler.default_cell_uuid, facts=facts,
        default_zone=conf.default_availability_zone, grouped=grouped,
        absent_traits=absent, row_memory=rows,
        fact_memory=memory.facts if memory is not None else None)
    if host_facts is not None:
        host_set.aggregates_unknown = host_facts.aggregates_unknown()
        host_set.missing_reasons = host_facts.missing_reasons()
    refused = host_facts.refused(host_set.host_names) if host_facts else None
    if refused:
        # The source logged its failure once; its hosts are not chosen.
        host_set = host_set.subset(np.fromiter(
            (name not in refused for name in host_set.host_names),
            bool, len(host_set)))
        if not len(host_set):
            # The sources' reasons name cells and hosts: the operator's.
            reason = ('none of the %d hosts can be vouched for by the '
                      'host-facts sources' % len(refused))
            raise exception.NoValidHost(reason, detail='%s: %s' % (
                reason, next(iter(refused.values()))))
    return host_set
