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

"""HypervisorVersionWeigher: prefers hosts with a newer hypervisor.

The raw weight is the compute node's ``hypervisor_version`` (0 when not
known). A negative ``[filter_scheduler]
hypervisor_version_weight_multiplier`` prefers older hosts.
"""

from scheduler import host_scope
from scheduler.host_state import facts as host_facts
from scheduler.weighers import base
from scheduler.weighers import utils


class HypervisorVersionWeigher(base.ConfiguredWeigher):
    """Raw weight: the host's hypervisor version as an integer."""

    reads_facts = frozenset([host_facts.COMPUTE])
    per_host = host_scope.FIXED

    multiplier_option = 'hypervisor_version_weight_multiplier'

    def weigh_columns(self, host_set, spec):
        return utils.fact_columns(host_set).hypervisor_version
