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

"""DifferentHostFilter: away from the instances of the ``different_host``
hint.

As in Nova: with the hint (one instance uuid or a list), a host passes
when it runs none of them; without it every host passes.

Facts missing: a host whose instances no source has reported fails closed
while the hint is given (it might run one of them).
"""

import numpy as np

from scheduler.filters import affinity_hints
from scheduler.filters import base
from scheduler.host_state import columns
from scheduler.host_state import facts as host_facts

HINT = 'different_host'


class DifferentHostFilter(base.ColumnFilter):
    """Passes hosts running none of the hinted instances."""

    reads_facts = frozenset([host_facts.INSTANCES])

    run_filter_once_per_request = True

    def filter_mask(self, host_set, spec):
        uuids = affinity_hints.hinted_uuids(spec, HINT)
        if uuids is None:
            return np.ones(len(host_set), dtype=bool)
        return (columns.instances_known(host_set) &
                ~affinity_hints.runs_any_column(host_set, uuids))
