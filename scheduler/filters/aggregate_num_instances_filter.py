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

"""AggregateNumInstancesFilter: NumInstancesFilter with a per-aggregate
limit.

As in Nova: the limit is the smallest ``max_instances_per_host`` metadata
value of the host's aggregates, else (none set, or a value that is not an
integer) ``[filter_scheduler] max_instances_per_host``. Facts missing: as
NumInstancesFilter.
"""

from scheduler.filters import num_instances_filter


class AggregateNumInstancesFilter(num_instances_filter.NumInstancesFilter):
    """Passes hosts below their aggregates' instance limit."""

    aggregate_key = 'max_instances_per_host'
    reads_aggregates = True
