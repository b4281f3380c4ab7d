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

"""Step ``candidates``: Placement's allocation candidates for the query.

An empty answer is NoValidHost saying which constraint no provider meets
(step ``diagnosis``, ``scheduler.cycle.diagnose``); a failed call raises
the typed ``PlacementError``, which the driver turns into NoValidHost.
"""

from scheduler.cycle import diagnose


def fetch(request, placement, diagnoser=None):
    """Set ``request.candidates`` and ``request.version``.

    :param diagnoser: a ``diagnose.Diagnoser``, or None (no diagnosis).
    """
    with request.timed('candidates'):
        found = placement.candidates(request.query)
    if not found.allocation_requests:
        raise diagnose.no_candidates(request, placement, diagnoser)
    request.candidates = found
    request.version = found.version
    if request.on_candidates is not None:
        request.on_candidates()
    return found
