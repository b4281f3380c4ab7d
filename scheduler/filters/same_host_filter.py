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

"""SameHostFilter: next to the instances of the ``same_host`` hint.

As in Nova: with the hint (one instance uuid or a list), a host passes
when it runs at least one of them; without it every host passes. A host
whose instances are unknown runs none that we know of, so it fails
(closed, as Nova's empty instance list would).
"""

import numpy as np

from scheduler.filters import affinity_hints
from scheduler.filters import base
from scheduler.host_state import facts as host_facts

HINT = 'same_host'


class SameHostFilter(base.ColumnFilter):
    """Passes hosts running one of the hinted instances."""

    run_filter_once_per_request = True
    reads_facts = frozenset([host_facts.INSTANCES])

    def filter_mask(self, host_set, spec):
        uuids = affinity_hints.hinted_uuids(spec, HINT)
        if uuids is None:
            return np.ones(len(host_set), dtype=bool)
        return affinity_hints.runs_any_column(host_set, uuids)
