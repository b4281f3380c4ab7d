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

"""Options of the [filter_scheduler] group (Nova's names and defaults)."""

from oslo_config import cfg


def _filter_scheduler_group():
    # A new OptGroup for every ConfigOpts: register_group() copies it
    # shallowly, so a shared one would share overrides between them.
    return cfg.OptGroup(
        'filter_scheduler', title='Filter scheduler options',
        help='Which filters and weighers run, and how hosts are picked.')


filter_scheduler_opts = [
    cfg.ListOpt(
        'enabled_filters',
        default=[
            # Nova 34's default list.
            'ComputeFilter',
            'ComputeCapabilitiesFilter',
            'ImagePropertiesFilter',
            'ServerGroupAntiAffinityFilter',
            'ServerGroupAffinityFilter',
        ],
        help='Filters run for every request, in this order, by entry '
             'point name in the ``scheduler.filters`` namespace. A name '
             'that does not load stops the service at start. Nova\'s class '
             'paths (``nova.scheduler.filters.<module>.<Class>``) name '
             'the filter of that class name, so a nova.conf works as it '
             'is.'),
    cfg.ListOpt(
        'weight_classes',
        default=['all'],
        help='Weighers run for every request, by entry point name in the '
             '``scheduler.weighers`` namespace; ``all`` (or Nova\'s '
             '``nova.scheduler.weights.all_weighers``) loads every '
             'weigher installed. Nova\'s class paths '
             '(``nova.scheduler.weights.<module>.<Class>``) name the '
             'weigher of that class name.'),
    cfg.IntOpt(
        'host_subset_size',
        default=1,
        min=1,
        max=1000,
        help='The instance is placed on a host picked at random among '
             'this many best weighed hosts.'),
    cfg.BoolOpt(
        'shuffle_best_same_weighed_hosts',
        default=False,
        help='Shuffle the hosts that share the best weight, so that '
             'identical hosts are used evenly.'),
    cfg.FloatOpt(
        'ram_weight_multiplier',
        default=1.0,
        min=-1000.0,
        max=1000.0,
        help='Multiplier of the free RAM weigher. Positive spreads '
             'instances over hosts, negative stacks them.'),
    cfg.FloatOpt(
        'cpu_weight_multiplier',
        default=1.0,
        min=-1000.0,
        max=1000.0,
        help='Multiplier of the free vCPU weigher. Positive spreads '
             'instances over hosts, negative stacks them.'),
    cfg.FloatOpt(
        'disk_weight_multiplier',
        default=1.0,
        min=-1000.0,
        max=1000.0,
        help='Multiplier of the free disk weigher. Positive spreads '
             'instances over hosts, negative stacks them.'),
]


def register_opts(conf):
    group = _filter_scheduler_group()
    conf.register_group(group)
    conf.register_opts(filter_scheduler_opts, group=group)


def list_opts():
    return {_filter_scheduler_group(): filter_scheduler_opts}
