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

"""Step ``widen``: a refusal on a cut answer is asked again in full.

With ``[scheduler] placement_results_per_instance`` a query asks Placement
for fewer candidates than ``max_placement_results``
(``scheduler.placement.limits``). When the steps after ``candidates``
(host states, filters, claims) leave no host for an instance of such an
answer, and the answer reached its limit, Placement may hold hosts that
would have passed: refusing then would refuse while capacity exists. The
cycle's claims are undone and the cycle runs once more with ``limit =
max_placement_results``; only that run's refusal reaches the caller.

Not asked again: a refusal before or at the ``candidates`` step (an empty
answer is empty whatever the limit; the diagnosis of
``scheduler.cycle.diagnose`` does not depend on it), an answer shorter
than its limit (it is every candidate there is), a query at the full
limit or without one. The second run costs one more Placement call, on
refusals only.
"""

from oslo_log import log as logging

from scheduler import exception
from scheduler.placement import limits

LOG = logging.getLogger(__name__)


def should_retry(request, full_limit):
    """Whether a refusal of ``request`` may hide capacity.

    True when its query's limit was below ``full_limit`` and Placement's
    answer reached it.
    """
    query = request.query
    return (query is not None and
            limits.is_reduced(query.limit, full_limit) and
            limits.reached(query, request.candidates))


def run(request, attempt, undo, full_limit):
    """``attempt(request, None)``, or once more at ``full_limit``.

    :param attempt: ``attempt(request, limit)`` runs the cycle (query,
        candidates, host states, then filter, weigh, rank and claim per
        instance) and returns the selections; ``limit`` None keeps the
        query's own, else replaces it.
    :param undo: ``undo(request)`` releases ``request.claimed``.
    :param full_limit: ``[scheduler] max_placement_results``.
    """
    try:
        return attempt(request, None)
    except exception.NoValidHost as e:
        if not should_retry(request, full_limit):
            raise
        LOG.info('Request %(id)s: no host of a cut answer (%(offered)d '
                 'candidates at limit %(limit)d) could be chosen (%(why)s); '
                 'asking Placement again with limit %(full)d',
                 {'id': request.request_id or '-',
                  'offered': len(request.candidates.allocation_requests),
                  'limit': request.query.limit, 'full': full_limit,
                  'why': e.reason})
        undo(request)
        request.start_cycle()
    return attempt(request, full_limit)
