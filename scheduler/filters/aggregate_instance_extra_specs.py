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

"""AggregateInstanceExtraSpecsFilter: flavor extra specs against the
metadata of the host's aggregates.

As in Nova: every extra spec that is unscoped, or scoped
``aggregate_instance_extra_specs:``, names an aggregate metadata key; the
host passes when, for each, one of the key's values over its aggregates
(comma-separated lists, merged) matches the spec (``extra_specs_ops``).
Other scopes are ignored; a flavor without extra specs passes everywhere.

Facts missing: a host in no known aggregate has no metadata, so it fails
any spec this filter checks (as Nova).
"""

import numpy as np

from scheduler.filters import base
from scheduler.filters import extra_specs_ops
from scheduler.filters import utils
from scheduler.host_state import columns

SCOPE = 'aggregate_instance_extra_specs'


def _requirements(spec):
    result = []
    for key, requirement in (spec.flavor.extra_specs or {}).items():
        scope = key.split(':', 1)
        if len(scope) > 1:
            if scope[0] != SCOPE:
                continue
            key = scope[1]
        result.append((key, requirement))
    return result


def _satisfies(host_state, requirements):
    metadata = utils.aggregate_metadata(host_state)
    for key, requirement in requirements:
        values = metadata.get(key)
        if not values or not any(extra_specs_ops.match(v, requirement)
                                 for v in values):
            return False
    return True


class AggregateInstanceExtraSpecsFilter(base.ColumnFilter):
    """Passes hosts whose aggregates' metadata meet the extra specs."""

    run_filter_once_per_request = True
    reads_aggregates = True

    def depends_on_aggregates(self, spec):
        return bool(_requirements(spec))

    def filter_mask(self, host_set, spec):
        requirements = _requirements(spec)
        if not requirements:
            return np.ones(len(host_set), dtype=bool)
        return columns.mask_by_group(
            host_set, 'aggregates', columns.aggregate_key,
            lambda host: _satisfies(host, requirements))
