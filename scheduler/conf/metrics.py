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

"""Options of the [metrics] group (Nova's names and defaults).

Read by MetricsWeigher, and by MetricsFilter for ``weight_setting``.
"""

from oslo_config import cfg

GROUP = 'metrics'


def _metrics_group():
    # A new OptGroup for every ConfigOpts (see filter_scheduler.py).
    return cfg.OptGroup(
        GROUP, title='Metrics options',
        help='How hosts are weighed by the metrics their compute node '
             'reports.')


metrics_opts = [
    cfg.FloatOpt(
        'weight_multiplier',
        default=1.0,
        min=-1e9,
        max=1e9,
        help='Multiplier of MetricsWeigher. Positive prefers hosts with a '
             'high weighted sum of metrics, negative a low one.'),
    cfg.ListOpt(
        'weight_setting',
        default=[],
        help='``metric=ratio`` pairs: a host weighs the sum of each '
             'metric\'s value times its ratio, e.g. '
             '``cpu.frequency=1.0, cpu.percent=-1.0``. Pairs that do not '
             'parse are ignored with a warning.'),
    cfg.BoolOpt(
        'required',
        default=True,
        help='A host lacking a metric of ``weight_setting`` makes the '
             'request fail when True (enable MetricsFilter to remove such '
             'hosts first); when False it weighs '
             '``weight_of_unavailable``.'),
    cfg.FloatOpt(
        'weight_of_unavailable',
        default=-10000.0,
        min=-1e12,
        max=1e12,
        help='Weight of a host lacking a metric of ``weight_setting`` '
             'when ``required`` is False.'),
]


def register_opts(conf):
    group = _metrics_group()
    conf.register_group(group)
    conf.register_opts(metrics_opts, group=group)


def list_opts():
    return {_metrics_group(): metrics_opts}
