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

"""AggregateIoOpsFilter: IoOpsFilter with a per-aggregate limit.

As in Nova: the limit is the smallest ``max_io_ops_per_host`` metadata
value of the host's aggregates, else (none set, or a value that is not an
integer) ``[filter_scheduler] max_io_ops_per_host``. Facts missing: as
IoOpsFilter.
"""

from scheduler.filters import io_ops_filter


class AggregateIoOpsFilter(io_ops_filter.IoOpsFilter):
    """Passes hosts below their aggregates' IO operations limit."""

    aggregate_key = 'max_io_ops_per_host'
    reads_aggregates = True
