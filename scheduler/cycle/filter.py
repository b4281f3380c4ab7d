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

"""Step ``filter``: the hosts that pass every filter, for one instance.

``scheduler.filters.handler.FilterHandler`` runs the configured filters
and records what each removed; when none is left, NoValidHost says which
step emptied the list.
"""

import numpy as np

from scheduler import exception

# What Nova's scheduler says when the filters leave no host; ours goes on
# with why (operators' scripts and Nova's own tests look for the words).
NOT_ENOUGH_HOSTS = 'There are not enough hosts available.'


def no_host_left(trace, index=0, count=1):
    """The NoValidHost of a filter run that left no host."""
    reason = '%s %s' % (NOT_ENOUGH_HOSTS, trace.reason())
    if count > 1:
        reason = 'instance %d of %d: %s' % (index + 1, count, reason)
    return exception.NoValidHost(reason)


def run(request, filters, index=0):
    """Indices of the hosts that pass for instance ``index``.

    Sets ``request.trace`` and ``request.eligible``: the hosts that
    passed, and those that passed for the earlier instances and are now
    full, so that NoValidHost counts them (``resources taken by earlier
    instances 6->0``, not ``1->0``).
    """
    host_set = request.host_set
    eligible = request.eligible
    with request.timed('filter'):
        if eligible is None:
            full = np.zeros(len(host_set), dtype=bool)
        else:
            full = eligible & ~host_set.has_room
        mask, trace = filters.run(host_set, request.spec, eligible, index)
    request.eligible = mask | full
    request.trace = trace
    indices = np.flatnonzero(mask)
    if not len(indices):
        raise no_host_left(trace, index, request.count)
    return indices
