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

An empty answer is NoValidHost naming the query; a failed call raises the
typed ``PlacementError``, which the driver turns into NoValidHost.
"""

from scheduler import exception


def fetch(request, placement):
    """Set ``request.candidates`` and ``request.version``."""
    with request.timed('candidates'):
        found = placement.candidates(request.query)
    if not found.allocation_requests:
        raise exception.NoValidHost(
            'Placement returned no allocation candidates for %s'
            % request.query.to_query_string())
    request.candidates = found
    request.version = found.version
    if request.on_candidates is not None:
        request.on_candidates()
    return found
