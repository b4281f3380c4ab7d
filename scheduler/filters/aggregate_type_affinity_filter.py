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

"""AggregateTypeAffinityFilter: flavors restricted to aggregates.

As in Nova: a host in aggregates with ``instance_type`` metadata
(comma-separated flavor names) takes only those flavors; a host in no
such aggregate takes any flavor.

Facts missing: a host with no known aggregate passes (as Nova's host in
no aggregate).
"""

from scheduler.filters import base
from scheduler.filters import utils
from scheduler.host_state import columns

KEY = 'instance_type'


def _passes(host_state, flavor_name):
    values = utils.aggregate_values(host_state, KEY)
    if not values:
        return True
    return any(flavor_name in [name.strip() for name in value.split(',')]
               for value in values)


class AggregateTypeAffinityFilter(base.ColumnFilter):
    """Passes hosts whose aggregates allow the flavor (or set none)."""

    run_filter_once_per_request = True
    reads_aggregates = True

    def filter_mask(self, host_set, spec):
        return columns.mask_by_group(
            host_set, 'aggregates', columns.aggregate_key,
            lambda host: _passes(host, spec.flavor.name))
