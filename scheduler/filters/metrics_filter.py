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

"""MetricsFilter: hosts reporting every metric MetricsWeigher weighs.

As in Nova: the metric names of ``[metrics] weight_setting`` (``name=ratio``
pairs; pairs that do not parse are ignored) must all be among the
compute node's metrics. With no setting every host passes.

Facts missing: a host whose metrics no source reported fails closed (as
Nova's host without metrics), as does a host without compute details
(``compute_facts``).
"""

import numpy as np
from oslo_log import log as logging

from scheduler.filters import base
from scheduler.filters import compute_facts
from scheduler import host_scope
from scheduler.host_state import columns

LOG = logging.getLogger(__name__)


def metric_names(conf):
    """Names of ``[metrics] weight_setting``."""
    names = set()
    for item in conf.metrics.weight_setting or ():
        name, sep, ratio = item.partition('=')
        try:
            float(ratio)
        except ValueError:
            sep = None
        if name.strip() and sep:
            names.add(name.strip())
        else:
            LOG.warning('Ignoring %s in [metrics] weight_setting: not '
                        'name=ratio', item)
    return frozenset(names)


def _metrics(facts):
    """The names of the metrics a host's ``HostFacts`` report."""
    compute = facts.compute
    return frozenset(compute.metrics or ()) if compute else frozenset()


class MetricsFilter(compute_facts.ComputeFactsFilter, base.ColumnFilter):
    """Passes hosts that report every weighed metric."""

    per_host = host_scope.FIXED

    def __init__(self, conf=None):
        super().__init__(conf)
        self.names = metric_names(self.conf)

    def filter_mask(self, host_set, spec):
        if not self.names:
            return np.ones(len(host_set), dtype=bool)
        return columns.mask_by_group(
            host_set, 'metric_names', _metrics,
            lambda host: self.names <= _metrics(host.facts))
