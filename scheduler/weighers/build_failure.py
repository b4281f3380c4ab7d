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

"""BuildFailureWeigher: weighs down hosts whose recent builds failed.

The raw weight is the compute node's ``failed_builds`` stat (reset by its
next successful build); the multiplier is minus
``[filter_scheduler] build_failure_weight_multiplier`` (1e6 by default, so
a failing host comes after every healthy one).
"""

from scheduler import host_scope
from scheduler.host_state import facts as host_facts
from scheduler.weighers import base
from scheduler.weighers import utils


class BuildFailureWeigher(base.ConfiguredWeigher):
    """Raw weight: the host's recent failed builds (multiplier negated)."""

    reads_facts = frozenset([host_facts.COMPUTE])
    per_host = host_scope.FIXED

    multiplier_option = 'build_failure_weight_multiplier'
    sign = -1.0

    def weigh_columns(self, host_set, spec):
        return utils.fact_columns(host_set).failed_builds
