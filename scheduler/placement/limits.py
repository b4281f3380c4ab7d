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

"""The ``limit`` of a ``GET /allocation_candidates`` query.

``[scheduler] max_placement_results`` by default, as Nova. With
``[scheduler] placement_results_per_instance`` set, a request asks for
that many candidates per instance, never more than
``max_placement_results``: the scheduler then weighs a sample of the
cloud, as kube-scheduler scores a percentage of the nodes. The sample is
only a fair one when Placement shuffles its candidates before it cuts the
answer (``[placement] randomize_allocation_candidates = True``).

A cut answer may hide hosts the filters would have kept: the caller asks
again with the full limit before it refuses (``scheduler.cycle.widen``).
"""


def instance_count(spec):
    """How many instances ``spec`` asks for (at least 1)."""
    try:
        return max(int(spec.num_instances or 1), 1)
    except (TypeError, ValueError):
        return 1


def scaled(full, per_instance, count):
    """``min(full, per_instance x count)``; ``full`` if per_instance is 0.

    :param full: ``max_placement_results``.
    :param per_instance: ``placement_results_per_instance`` (0: off).
    :param count: instances of the request.
    """
    if per_instance <= 0:
        return full
    return max(1, min(full, per_instance * max(count, 1)))


def is_reduced(limit, full):
    """Whether a query's ``limit`` is below ``full`` (None: no limit)."""
    return limit is not None and limit < full


def reached(query, candidates):
    """Whether ``candidates``, the answer to ``query``, reached its limit.

    Only then may Placement hold more: an answer shorter than its limit
    is every candidate there is (an empty one is empty at any limit).
    """
    return (query is not None and candidates is not None and
            query.limit is not None and
            len(candidates.allocation_requests) >= query.limit)
