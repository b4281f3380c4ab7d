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

"""AllHostsFilter: every host passes (a no-op, as in Nova)."""

import numpy as np

from scheduler.filters import base


class AllHostsFilter(base.ColumnFilter):
    """Passes every host."""

    # Nothing can change between the instances of one request.
    run_filter_once_per_request = True

    def filter_mask(self, host_set, spec):
        return np.ones(len(host_set), dtype=bool)
