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

import numpy as np
import pytest

from scheduler import exception
from scheduler.host_state import facts as host_facts
from scheduler.weighers import base
from scheduler.weighers import handler
from scheduler.weighers import io_ops
from scheduler.weighers import ram
from tests.unit.host_state import fakes


class ByIndex(base.BaseHostWeigher):
    """Per-host only: the number in the host name."""

    def __init__(self, multiplier=1.0, conf=None):
        super().__init__(conf)
        self.multiplier = multiplier

    def weight_multiplier(self, host_state):
        return self.multiplier

    def _weigh_object(self, host_state, spec):
        return float(host_state.host.split('-')[1])


class Bounded(ByIndex):
    minval = 0.0
    maxval = 10.0


def _hosts(free_ram, facts_known=True):
    """Hosts of ``free_ram`` MiB each; services reported unless not."""
    hosts = [{'name': 'host-%d' % i,
              'capacity': {'VCPU': 8, 'MEMORY_MB': mb, 'DISK_GB': 10}}
             for i, mb in enumerate(free_ram)]
    return fakes.make_host_set(
        hosts, facts=fakes.services_up(hosts) if facts_known else None)


def _weigh(weighers, host_set, indices=None, conf=None):
    if indices is None:
        indices = np.arange(len(host_set))
    wh = handler.WeightHandler(conf=conf or fakes.make_conf(),
                               weighers=weighers)
    return list(wh.weigh(host_set, fakes.make_spec(), indices))


def test_normalize_maps_min_to_zero_and_max_to_one():
    assert list(handler.normalize([2.0, 4.0, 3.0])) == [0.0, 1.0, 0.5]


def test_normalize_all_equal_gives_zeros():
    assert list(handler.normalize([5.0, 5.0])) == [0.0, 0.0]
    assert list(handler.normalize([])) == []


def test_normalize_uses_given_bounds():
    assert list(handler.normalize([5.0], minval=0, maxval=10)) == [0.5]


def test_weights_are_normalised_then_multiplied():
    weights = _weigh([('ByIndex', ByIndex(3.0))], _hosts([1, 1, 1]))
    assert weights == [0.0, 1.5, 3.0]


def test_free_resource_weights_are_normalised_from_zero():
    conf = fakes.make_conf(filter_scheduler={'ram_weight_multiplier': 3.0})
    weights = _weigh([('RAM', ram.RAMWeigher(conf=conf))],
                     _hosts([1000, 4000, 2000]), conf=conf)
    assert weights == [0.75, 3.0, 1.5]


def test_a_single_host_weighs_zero():
    weights = _weigh([('ByIndex', ByIndex(3.0))], _hosts([1, 1]),
                     indices=[1])
    assert weights == [0.0]


def test_raw_weights_are_clamped_to_the_weigher_bounds():
    class Clamped(ByIndex):
        minval = 1.0
        maxval = 3.0

    weights = _weigh([('C', Clamped())], _hosts([1] * 5))
    assert weights == [0.0, 0.0, 0.5, 1.0, 1.0]


def test_negative_multiplier_favours_the_least_free():
    conf = fakes.make_conf(filter_scheduler={'ram_weight_multiplier': -1.0})
    weights = _weigh([('RAM', ram.RAMWeigher(conf=conf))],
                     _hosts([1000, 3000]), conf=conf)
    assert weights[0] > weights[1]


def test_zero_multiplier_switches_a_weigher_off():
    conf = fakes.make_conf(filter_scheduler={'ram_weight_multiplier': 0.0})
    weights = _weigh([('RAM', ram.RAMWeigher(conf=conf))],
                     _hosts([1000, 3000]), conf=conf)
    assert weights == [0.0, 0.0]


def test_weighers_add_up():
    conf = fakes.make_conf()
    weights = _weigh([('RAM', ram.RAMWeigher(conf=conf)),
                      ('ByIndex', ByIndex(2.0))],
                     _hosts([4000, 1000, 2000]), conf=conf)
    assert weights == [1.0 + 0.0, 0.25 + 1.0, 0.5 + 2.0]


def test_normalisation_is_over_the_hosts_weighed_only():
    host_set = _hosts([1, 1, 1, 1])
    weights = _weigh([('ByIndex', ByIndex())], host_set, indices=[0, 2, 3])
    assert weights == [0.0, 2 / 3, 1.0]


def test_column_and_per_host_weigher_paths_agree():
    conf = fakes.make_conf(filter_scheduler={'ram_weight_multiplier': 2.0})

    class PerHostRAM(base.BaseHostWeigher):
        rule = ram.RAMWeigher(conf=conf)
        minval = rule.minval

        def weight_multiplier(self, host_state):
            return self.rule.weight_multiplier(host_state)

        def _weigh_object(self, host_state, spec):
            return self.rule._weigh_object(host_state, spec)

    host_set = _hosts([512, 4096, 1024, 4096, 3000])
    column = _weigh([('RAM', ram.RAMWeigher(conf=conf))], host_set)
    per_host = _weigh([('RAM', PerHostRAM(conf=conf))], host_set)
    assert column == per_host


def test_a_plugins_own_attributes_do_not_hide_the_interface():
    # As Nova's HostNameWeigherFixture weigher: a dict named "weights".
    class ByName(base.BaseHostWeigher):
        def __init__(self, conf=None):
            super().__init__(conf)
            self.weights = {'host-1': 5.0}
            self.multipliers = self.passing = None

        def _weigh_object(self, host_state, spec):
            return self.weights.get(host_state.host, 0.0)

    assert _weigh([('ByName', ByName())], _hosts([1, 1, 1])) == [
        0.0, 1.0, 0.0]


def test_per_host_weigher_gets_a_multiplier_per_host():
    class HalfForHost0(ByIndex):
        def weight_multiplier(self, host_state):
            return 0.5 if host_state.host == 'host-2' else 1.0

    weights = _weigh([('H', HalfForHost0())], _hosts([1, 1, 1]))
    assert weights == [0.0, 0.5, 0.5]


def test_weigher_bounds_replace_the_observed_ones():
    weights = _weigh([('Bounded', Bounded())], _hosts([1, 1, 1]))
    assert weights == [0.0, 0.1, 0.2]


def test_all_loads_every_weigher_of_the_namespace():
    wh = handler.WeightHandler(fakes.make_conf())
    assert [name for name, _ in wh.weighers] == [
        'BuildFailureWeigher', 'CPUWeigher', 'CrossCellWeigher',
        'DiskWeigher', 'HypervisorVersionWeigher', 'ImagePropertiesWeigher',
        'IoOpsWeigher', 'MetricsWeigher', 'NumInstancesWeigher',
        'PCIWeigher', 'RAMWeigher', 'ServerGroupSoftAffinityWeigher',
        'ServerGroupSoftAntiAffinityWeigher']


def test_named_weighers_load_in_config_order():
    conf = fakes.make_conf(filter_scheduler={
        'weight_classes': ['RAMWeigher', 'CPUWeigher']})
    wh = handler.WeightHandler(conf)
    assert [name for name, _ in wh.weighers] == ['RAMWeigher', 'CPUWeigher']
    assert wh.weighers[0][1].conf is conf


def test_unknown_weigher_name_stops_loading_and_names_it():
    conf = fakes.make_conf(filter_scheduler={
        'weight_classes': ['RAMWeigher', 'NoSuchWeigher']})
    with pytest.raises(exception.PluginLoadError) as e:
        handler.WeightHandler(conf)
    assert 'NoSuchWeigher' in str(e.value)


def test_weigher_whose_constructor_fails_stops_loading_and_names_it(
        tmp_path, monkeypatch):
    source = ('class BadWeigher:\n'
              '    def __init__(self, conf):\n'
              '        raise ValueError("bad option")\n')
    fakes.install_plugins(tmp_path, monkeypatch, 'scheduler.weighers',
                          {'BadWeigher': 'bad_weigher_mod:BadWeigher'},
                          {'bad_weigher_mod': source})
    conf = fakes.make_conf(filter_scheduler={'weight_classes': ['all']})
    with pytest.raises(exception.PluginLoadError) as e:
        handler.WeightHandler(conf)
    assert 'BadWeigher' in str(e.value)
    assert 'bad option' in str(e.value)


def test_builtin_weighers_answer_by_column_never_per_host(monkeypatch):
    def per_host(*args):
        raise AssertionError('per-host path used')

    wh = handler.WeightHandler(fakes.make_conf())
    assert len(wh.weighers) == 13
    for _name, weigher in wh.weighers:
        monkeypatch.setattr(type(weigher), '_weigh_object', per_host)
        monkeypatch.setattr(type(weigher), 'weight_multiplier', per_host)
    weights = wh.weigh(_hosts([1024, 2048]), fakes.make_spec(), [0, 1])
    # RAM 0.5 and 1 (from 0); CPU and disk equal: 1 each; the rest 0.
    assert list(weights) == [2.5, 3.0]


def test_each_weighers_share_is_reported_when_asked():
    conf = fakes.make_conf()
    wh = handler.WeightHandler(conf, [('RAM', ram.RAMWeigher(conf=conf)),
                                      ('ByIndex', ByIndex(2.0)),
                                      ('Off', ByIndex(0.0))])
    shares = {}
    total = wh.weigh(_hosts([4000, 1000, 2000]), fakes.make_spec(),
                     [0, 1, 2], per_weigher=shares)
    assert sorted(shares) == ['ByIndex', 'RAM']
    assert list(shares['RAM']) == [1.0, 0.25, 0.5]
    assert list(shares['ByIndex']) == [0.0, 1.0, 2.0]
    assert list(total) == list(shares['RAM'] + shares['ByIndex'])


def test_a_host_lacking_a_fact_gets_the_weighers_worst_share():
    conf = fakes.make_conf()
    conf.set_override('io_ops_weight_multiplier', -1.0,
                      group='filter_scheduler')
    hosts = [{'name': 'host-%d' % i,
              'capacity': {'VCPU': 8, 'MEMORY_MB': 1024, 'DISK_GB': 10}}
             for i in range(3)]
    facts = fakes.services_up(hosts)
    facts['host-0'] = host_facts.HostFacts(
        instances_known=True, compute=host_facts.ComputeFacts(
            service_up=True, service_disabled=False,
            stats={'num_io_ops': 4}))
    # host-2: no compute record, so no IO count: not taken for idle.
    del facts['host-2']
    host_set = fakes.make_host_set(hosts, facts=facts)
    wh = handler.WeightHandler(conf, [
        ('IoOps', io_ops.IoOpsWeigher(conf=conf))])
    weights = list(wh.weigh(host_set, fakes.make_spec(), [0, 1, 2]))
    # Normalised over the hosts it can judge: 4 IO ops -> -1, 0 -> 0; the
    # unknown host gets the worst share, -1, not the idle host's 0.
    assert weights == [-1.0, 0.0, -1.0]
