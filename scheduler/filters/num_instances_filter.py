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

"""NumInstancesFilter: hosts with fewer than ``[filter_scheduler]
max_instances_per_host`` instances.

As in Nova: the compute node's ``num_instances`` stat, plus the instances
of this request already placed there, must be below the option. A stat
not reported counts 0 (as Nova); a host whose compute node is not
reported fails closed (see ``stat_limit``).
"""

from scheduler.filters import stat_limit


class NumInstancesFilter(stat_limit.StatLimitFilter):
    """Passes hosts below ``max_instances_per_host`` instances."""

    stats = ('num_instances',)
    option = 'max_instances_per_host'
