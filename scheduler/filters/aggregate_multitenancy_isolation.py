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

"""AggregateMultiTenancyIsolation: tenant-restricted aggregates.

As in Nova: a host in an aggregate with metadata keys starting with
``filter_tenant_id`` (``filter_tenant_id``, ``filter_tenant_id_2``, ...,
comma-separated project ids) only takes requests of those projects; a
host in no such aggregate takes anyone's.

Facts missing: a host in no aggregate is unrestricted and passes (Nova's
behaviour); while aggregates are not known at all (no host-facts source
has reported them since start) no host passes.
"""

from scheduler.filters import base
from scheduler.filters import utils
from scheduler.host_state import columns

PREFIX = 'filter_tenant_id'


def _passes(host_state, project_id):
    tenants = set()
    for key, values in utils.aggregate_metadata(host_state).items():
        if key.startswith(PREFIX):
            tenants.update(values)
    return not tenants or project_id in tenants


class AggregateMultiTenancyIsolation(base.ColumnFilter):
    """Passes hosts open to the request's project."""

    run_filter_once_per_request = True
    reads_aggregates = True

    def filter_mask(self, host_set, spec):
        return columns.mask_by_group(
            host_set, 'aggregates', columns.aggregate_key,
            lambda host: _passes(host, spec.project_id))
