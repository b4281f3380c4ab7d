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

"""IoOpsFilter: hosts with fewer than ``[filter_scheduler]
max_io_ops_per_host`` instances doing IO.

As in Nova: the compute node's ``io_workload`` stat (instances building,
resizing, migrating, snapshotting, rescuing, unshelving), plus the
instances of this request already placed there, must be below the option.
A stat not reported counts 0 (as Nova); a host whose compute node is not
reported fails closed (see ``stat_limit``).
"""

from scheduler.filters import stat_limit


class IoOpsFilter(stat_limit.StatLimitFilter):
    """Passes hosts below ``max_io_ops_per_host`` IO-busy instances."""

    # Nova's compute node reports it as io_workload.
    stats = ('io_workload', 'num_io_ops')
    option = 'max_io_ops_per_host'
