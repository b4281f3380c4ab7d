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

"""Options of the built-in weighers ([filter_scheduler], Nova's names).

Registered in the ``filter_scheduler`` group beside the options of
``scheduler.conf.filter_scheduler`` (which holds the RAM, CPU and disk
multipliers). Every multiplier named ``<x>_weight_multiplier`` here may be
overridden per host by the metadata key of the same name on the host's
aggregates (the lowest value wins when several aggregates set it), as in
Nova.
"""

from oslo_config import cfg

GROUP = 'filter_scheduler'

# Bounds wide enough for Nova's defaults (build failures and cross-cell
# moves dominate every other weigher with 1e6).
_BOUND = 1e9


def _multiplier(name, default, help_text, minimum=-_BOUND):
    return cfg.FloatOpt(name, default=default, min=minimum, max=_BOUND,
                        help=help_text)


weigher_opts = [
    _multiplier(
        'io_ops_weight_multiplier', -1.0,
        'Multiplier of IoOpsWeigher (instances doing IO on the host). '
        'Negative prefers lightly loaded hosts, positive busy ones.'),
    _multiplier(
        'num_instances_weight_multiplier', 0.0,
        'Multiplier of NumInstancesWeigher (instances on the host). '
        'Positive packs instances onto busy hosts, negative spreads them; '
        '0 switches the weigher off.'),
    _multiplier(
        'hypervisor_version_weight_multiplier', 1.0,
        'Multiplier of HypervisorVersionWeigher. Positive prefers hosts '
        'with a newer hypervisor, negative older ones.'),
    _multiplier(
        'pci_weight_multiplier', 1.0,
        'Multiplier of PCIWeigher, which keeps hosts with free PCI devices '
        'for the instances that ask for them.', minimum=0.0),
    _multiplier(
        'soft_affinity_weight_multiplier', 1.0,
        'Multiplier of ServerGroupSoftAffinityWeigher: hosts with more '
        'members of the instance\'s soft-affinity group are preferred.',
        minimum=0.0),
    _multiplier(
        'soft_anti_affinity_weight_multiplier', 1.0,
        'Multiplier of ServerGroupSoftAntiAffinityWeigher: hosts with '
        'fewer members of the instance\'s soft-anti-affinity group are '
        'preferred.', minimum=0.0),
    _multiplier(
        'build_failure_weight_multiplier', 1000000.0,
        'Multiplier of BuildFailureWeigher: a host is weighed down by this '
        'much per recent failed build (reset by a successful build). The '
        'default keeps failing hosts last.'),
    _multiplier(
        'cross_cell_move_weight_multiplier', 1000000.0,
        'Multiplier of CrossCellWeigher: during a cross-cell move, hosts '
        'of the instance\'s current cell are preferred by this much; '
        'negative prefers the other cells.'),
    _multiplier(
        'image_props_weight_multiplier', 0.0,
        'Multiplier of ImagePropertiesWeigher: positive packs instances '
        'whose images share properties, negative spreads them; 0 (the '
        'default) switches the weigher off.'),
    cfg.ListOpt(
        'image_props_weight_setting',
        default=[],
        help='``property=ratio`` pairs: the weight ImagePropertiesWeigher '
             'gives each instance on the host whose image has the '
             'requested value of that property. Properties not listed '
             'count 0. Empty: every requested property counts 1.'),
]


def register_opts(conf):
    conf.register_opts(weigher_opts, group=GROUP)


def list_opts():
    # The group object itself comes from scheduler.conf.filter_scheduler;
    # the generator merges groups of the same name.
    return {GROUP: weigher_opts}
