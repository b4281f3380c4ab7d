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

"""IoOpsWeigher: weighs hosts by the instances doing IO on them.

The count is the compute node's ``num_io_ops`` stat plus the instances of
this request already placed on the host. The default
``[filter_scheduler] io_ops_weight_multiplier`` of -1.0 prefers lightly
loaded hosts; positive prefers busy ones. Normalised from 0, as in Nova.
"""

from scheduler import host_scope
from scheduler.host_state import facts as host_facts
from scheduler.weighers import base
from scheduler.weighers import utils


class IoOpsWeigher(base.ConfiguredWeigher):
    """Raw weight: the host's IO operations in progress."""

    reads_facts = frozenset([host_facts.COMPUTE])
    # The host's stat and the instances placed on it.
    per_host = host_scope.STATE

    minval = 0
    multiplier_option = 'io_ops_weight_multiplier'

    def weigh_columns(self, host_set, spec):
        return utils.fact_columns(host_set).io_ops + utils.consumed(host_set)
