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

"""Shared by the instance-count filters: a compute stat below a limit.

NumInstancesFilter and IoOpsFilter (and their aggregate variants) pass a
host while ``stat + placed < limit``, where ``stat`` is the compute node's
``num_instances`` / ``num_io_ops`` and ``placed`` the instances of this
request already put there (Nova's host state counts them the same way).
As Nova, a stat the compute node does not report counts 0; a host whose
compute node is not reported at all (or whose stat is not an integer)
fails closed (``compute_facts``).
"""

import numpy as np

from scheduler.filters import base
from scheduler.filters import compute_facts
from scheduler.filters import utils
from scheduler import host_scope
from scheduler.host_state import columns


class StatLimitFilter(compute_facts.ComputeFactsFilter, base.ColumnFilter):
    """Base: ``stat`` (a compute stat) must stay below ``limit``."""

    # The host's stat, its aggregates and what was placed on it.
    per_host = host_scope.STATE

    # Compute stat names, the first one set wins.
    stats = ()
    option = None
    # Metadata key of a per-aggregate limit (aggregate variants only).
    aggregate_key = None

    def _default_limit(self):
        return getattr(self.conf.filter_scheduler, self.option)

    def _limits(self, host_set):
        default = self._default_limit()
        if self.aggregate_key is None:
            return default
        reps, inverse = columns.groups(host_set, 'aggregates',
                                       columns.aggregate_key)
        limits = np.fromiter(
            (utils.aggregate_limit(host_set.hosts[i], self.aggregate_key,
                                   default) for i in reps),
            np.int64, len(reps))
        return limits[inverse]

    def filter_mask(self, host_set, spec):
        values, known = columns.compute_stat(host_set, self.stats)
        return known & (values + host_set.placed < self._limits(host_set))
