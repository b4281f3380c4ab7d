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

"""ServerGroupAffinityFilter: a member of an ``affinity`` group goes where
the group's other members are.

As in Nova: only for a request whose instance group has the policy
``affinity``; the host passes when the group has no hosts yet, or when it
is one of the group's hosts (``InstanceGroup.hosts``: filled by Nova's
conductor, and by the driver with each host a multi-create's earlier
instances went to). No host facts are needed.
"""

import numpy as np

from scheduler.filters import base
from scheduler.host_state import columns

POLICY = 'affinity'


def _group_hosts(spec):
    group = spec.instance_group
    if group is None or group.policy != POLICY or not group.hosts:
        return None
    return group.hosts


class ServerGroupAffinityFilter(base.ColumnFilter):
    """Passes the hosts of an affinity group (any host for its first)."""

    def filter_mask(self, host_set, spec):
        hosts = _group_hosts(spec)
        if hosts is None:
            return np.ones(len(host_set), dtype=bool)
        return columns.name_in(host_set, hosts)
