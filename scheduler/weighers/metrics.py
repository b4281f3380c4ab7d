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

"""MetricsWeigher: weighs hosts by the metrics their compute node reports.

``[metrics] weight_setting`` lists ``metric=ratio`` pairs; the raw weight
is the sum of each metric's value times its ratio. A host lacking one of
these metrics makes the request fail with ``[metrics] required`` (the
default; MetricsFilter removes such hosts first), and weighs
``[metrics] weight_of_unavailable`` otherwise — unless that metric's ratio
or the host's multiplier is 0, when the metric is skipped. The multiplier
is ``[metrics] weight_multiplier``, or the aggregate metadata key
``metrics_weight_multiplier``.
"""

import numpy as np
from oslo_log import log as logging

from scheduler import exception
from scheduler import host_scope
from scheduler.weighers import base
from scheduler.weighers import utils

LOG = logging.getLogger(__name__)


class MetricsWeigher(base.ConfiguredWeigher):
    """Raw weight: the weighted sum of the host's metrics."""

    multiplier_group = 'metrics'
    multiplier_option = 'weight_multiplier'
    multiplier_key = 'metrics_weight_multiplier'
    # The host's metrics (and multiplier) only.
    per_host = host_scope.FIXED

    def __init__(self, conf=None):
        super().__init__(conf)
        self.setting = utils.parse_setting(
            self.conf.metrics.weight_setting, 'metrics.weight_setting')

    def _weight(self, host, facts, multiplier):
        """Raw weight of the host named ``host`` with ``facts``."""
        metrics = utils.metrics_of(facts)
        value = 0.0
        for name, ratio in self.setting:
            if name in metrics:
                value += float(metrics[name]) * ratio
                continue
            if ratio * multiplier != 0:
                return self.conf.metrics.weight_of_unavailable
        return value

    def weigh_columns(self, host_set, spec):
        return self.raw_weights(host_set, spec, np.arange(len(host_set)))

    def raw_weights(self, host_set, spec, indices):
        # Only the hosts weighed: one that MetricsFilter removed for a
        # missing metric must not fail the request.
        if not self.setting:
            return np.zeros(len(indices))
        if self.conf.metrics.required:
            self._require_metrics(host_set, indices)
        multipliers = self.multiplier_column(host_set)
        return np.fromiter(
            (self._weight(host_set.host_names[i], host_set.facts[i],
                          multipliers[i])
             for i in indices), float, len(indices))

    def _require_metrics(self, host_set, indices):
        """NoValidHost if a weighed host lacks a metric of the setting.

        The caller reads how many hosts lack it; the log names them.
        """
        for name, _ratio in self.setting:
            lacking = [host_set.host_names[i] for i in indices
                       if name not in utils.metrics_of(host_set.facts[i])]
            if not lacking:
                continue
            detail = ('MetricsWeigher: hosts without metric %s: %s'
                      % (name, ', '.join(lacking)))
            LOG.info('%s', detail)
            raise exception.NoValidHost(
                'MetricsWeigher: %d of %d weighed hosts report no metric %s '
                'and [metrics] required is True (enable MetricsFilter to '
                'remove such hosts before weighing)'
                % (len(lacking), len(indices), name), detail=detail)
