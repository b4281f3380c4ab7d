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

"""The short cycle of a rebuild check: does the current host still suit?

Nova's rule: no candidates query and no claim (the instance holds its
allocation there already). The requested host's provider is read from
Placement as it is, and the filters that run on rebuild judge it alone:
one Selection without an allocation request, or NoValidHost.
"""

import numpy as np

from scheduler.cycle import filter as filter_step
from scheduler.cycle import host_states
from scheduler.cycle import select


def check(request, placement, filters, host_facts, conf, memory=None):
    """``[[Selection]]`` of the current host; NoValidHost if it fails."""
    with request.timed('candidates'):
        request.candidates = placement.current_state(request.spec)
    if request.on_candidates is not None:
        request.on_candidates()
    host_set = host_states.build(request, placement, host_facts, conf,
                                 memory, described='the rebuild check')
    with request.timed('filter'):
        mask, request.trace = filters.run(host_set, request.spec)
    if not mask.any():
        raise filter_step.no_host_left(request.trace)
    index = int(np.flatnonzero(mask)[0])
    return [[select.selection(host_set[index], request.spec, None, None,
                              filters)]]
