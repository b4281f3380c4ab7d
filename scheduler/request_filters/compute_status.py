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

"""Never offer a disabled compute service's node."""

from scheduler.request_filters import base

DISABLED = 'COMPUTE_STATUS_DISABLED'


class ComputeStatusFilter(base.RequestFilter):
    """Forbid COMPUTE_STATUS_DISABLED on the root provider.

    nova-compute puts the trait on its nodes while its service is disabled.
    Always on in Nova.
    """

    def apply(self, spec, query, facts):
        query.root_forbidden.add(DISABLED)
        return True
