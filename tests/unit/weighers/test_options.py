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

"""The weighers' options keep Nova's names, groups and defaults."""

import pytest

from scheduler.conf import metrics
from scheduler.conf import weighers
from tests.unit.host_state import fakes

# Nova 34's defaults (nova/conf/scheduler.py).
NOVA_DEFAULTS = {
    ('filter_scheduler', 'ram_weight_multiplier'): 1.0,
    ('filter_scheduler', 'cpu_weight_multiplier'): 1.0,
    ('filter_scheduler', 'disk_weight_multiplier'): 1.0,
    ('filter_scheduler', 'io_ops_weight_multiplier'): -1.0,
    ('filter_scheduler', 'num_instances_weight_multiplier'): 0.0,
    ('filter_scheduler', 'hypervisor_version_weight_multiplier'): 1.0,
    ('filter_scheduler', 'pci_weight_multiplier'): 1.0,
    ('filter_scheduler', 'soft_affinity_weight_multiplier'): 1.0,
    ('filter_scheduler', 'soft_anti_affinity_weight_multiplier'): 1.0,
    ('filter_scheduler', 'build_failure_weight_multiplier'): 1000000.0,
    ('filter_scheduler', 'cross_cell_move_weight_multiplier'): 1000000.0,
    ('filter_scheduler', 'image_props_weight_multiplier'): 0.0,
    ('filter_scheduler', 'image_props_weight_setting'): [],
    ('metrics', 'weight_multiplier'): 1.0,
    ('metrics', 'weight_setting'): [],
    ('metrics', 'required'): True,
    ('metrics', 'weight_of_unavailable'): -10000.0,
}


@pytest.mark.parametrize('group,name', sorted(NOVA_DEFAULTS))
def test_option_has_novas_default(group, name):
    conf = fakes.make_conf()
    assert conf[group][name] == NOVA_DEFAULTS[(group, name)]


def test_every_weigher_option_is_one_of_novas():
    ours = {('filter_scheduler', o.dest) for o in weighers.weigher_opts}
    ours |= {('metrics', o.dest) for o in metrics.metrics_opts}
    assert ours <= set(NOVA_DEFAULTS)


@pytest.mark.parametrize('name', ['pci_weight_multiplier',
                                  'soft_affinity_weight_multiplier',
                                  'soft_anti_affinity_weight_multiplier'])
def test_multiplier_nova_keeps_non_negative_refuses_negatives(name):
    conf = fakes.make_conf()
    with pytest.raises(ValueError):
        conf.set_override(name, -1.0, group='filter_scheduler')
