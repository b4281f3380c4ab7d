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

"""ComputeFilter: hosts whose compute service is disabled or down never pass.

Nova marks the compute node provider of a disabled (or down) compute
service with the ``COMPUTE_STATUS_DISABLED`` trait; such a host is never
chosen, even when the request forces it. When the host facts report the
service (``ComputeFacts.service_disabled`` / ``service_up``), a disabled
or down service fails too.

Facts missing: a host whose compute service no source reports fails
(fail closed). Placement knows a disabled service by its trait but
nothing of a service that stopped sending heartbeats; only Nova's
databases do (``[host_facts] sources = nova_db``), so without that source
this filter passes no host. A deployment that accepts the trait alone
leaves ComputeFilter out of ``enabled_filters``.
"""

from scheduler.filters import base
from scheduler.host_state import columns
from scheduler.host_state import facts as host_facts


class ComputeFilter(base.ColumnFilter):
    """Passes hosts of an enabled, up compute service."""

    run_filter_once_per_request = True
    reads_facts = frozenset([host_facts.COMPUTE])

    def filter_mask(self, host_set, spec):
        service_ok = columns.fact_table(host_set).service_ok != 0
        return ~host_set.disabled & service_ok
