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

"""ServerGroupAntiAffinityFilter: members of an ``anti-affinity`` group
spread over hosts.

As in Nova: only for a request whose instance group has the policy
``anti-affinity``; a host passes when it runs fewer of the group's members
than the group's rule ``max_server_per_host`` (default 1), or when it
already runs the instance being scheduled (a move to its own host is
judged elsewhere). Members on a host are the group's ``members`` among the
host's known instances. Not run once per request: in a multi-create each
instance placed on a host counts against it.

Facts missing: a host whose instances no source has reported
(``columns.instances_known``) fails closed while the policy applies.
"""

import numpy as np

from scheduler.filters import base
from scheduler.host_state import columns
from scheduler.host_state import facts as host_facts

POLICY = 'anti-affinity'


def _limit(spec):
    """max_server_per_host of the group, or None if the policy is off."""
    group = spec.instance_group
    if group is None or group.policy != POLICY:
        return None
    try:
        return int((group.rules or {}).get('max_server_per_host', 1))
    except (TypeError, ValueError):
        return 1


class ServerGroupAntiAffinityFilter(base.ColumnFilter):
    """Passes hosts below the group's members-per-host limit."""

    reads_facts = frozenset([host_facts.INSTANCES])

    def filter_mask(self, host_set, spec):
        limit = _limit(spec)
        if limit is None:
            return np.ones(len(host_set), dtype=bool)
        count = columns.hosts_with_instances(host_set,
                                             spec.instance_group.members)
        passes = columns.instances_known(host_set) & (
            count + host_set.placed < limit)
        if spec.instance_uuid:
            passes |= columns.hosts_with_instances(
                host_set, [spec.instance_uuid]) > 0
        return passes
