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

"""ServerGroupSoftAntiAffinityWeigher: spreads a soft-anti-affinity group.

For an instance of a server group with policy ``soft-anti-affinity``,
hosts weigh minus the number of the group's members they run (the
instances of this request already placed there included); every other
request weighs 0. The multiplier is ``[filter_scheduler]
soft_anti_affinity_weight_multiplier`` (or aggregate metadata of that
name).
"""

from scheduler import host_scope
from scheduler.host_state import facts as host_facts
from scheduler.weighers import base
from scheduler.weighers import utils


class ServerGroupSoftAntiAffinityWeigher(base.ConfiguredWeigher):
    """Raw weight: minus the members of the instance's group on the host."""

    policy = 'soft-anti-affinity'
    multiplier_option = 'soft_anti_affinity_weight_multiplier'
    reads_facts = frozenset([host_facts.INSTANCES])
    # The members the host runs (those placed by the request included):
    # the group's members, not its hosts, and that host alone.
    per_host = host_scope.STATE

    def depends_on_facts(self, spec):
        return bool(utils.group_members(spec, self.policy))

    def per_host_for(self, spec):
        # No member of such a group: 0 for every host, placed or not.
        if not utils.group_members(spec, self.policy):
            return host_scope.FIXED
        return self.per_host

    def weigh_columns(self, host_set, spec):
        return -utils.members_on_hosts(
            host_set, utils.group_members(spec, self.policy))
