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

"""Filter runs explain each host's fate; rebuilds and multi-creates."""

import logging

import numpy as np

from scheduler.filters import base
from scheduler.filters import compute_filter
from scheduler.filters import explain
from scheduler.filters import handler
from scheduler.filters import image_properties_filter
from scheduler.filters import server_group_affinity_filter
from scheduler.host_facts import store
from tests.unit.filters import helpers as h
from tests.unit.host_facts import fakes as facts_fakes
from tests.unit.host_state import fakes


class DropNamed(base.BaseHostFilter):
    """Per-host only: fails the hosts named at construction."""

    def __init__(self, names, conf=None):
        super().__init__(conf)
        self.names = set(names)

    def host_passes(self, host_state, spec):
        return host_state.host not in self.names


def _handler(*filters, **opts):
    return handler.FilterHandler(conf=h.conf(**opts), filters=filters)


def _up(name, **fields):
    """A host whose compute service a source reports enabled and up."""
    return h.host(name, compute=h.compute(service_up=True,
                                          service_disabled=False), **fields)


def _hosts():
    return h.host_set([
        _up('a'), _up('b', traits=['COMPUTE_STATUS_DISABLED']),
        _up('c'), _up('d')])


def test_trace_says_which_filter_removed_each_host():
    flt = _handler(('ComputeFilter', compute_filter.ComputeFilter()),
                   ('DropNamed', DropNamed(['c'])))
    _, trace = flt.run(_hosts(), h.spec())
    assert trace.explain(_hosts()) == [
        'a (a): passed', 'b (b): removed by ComputeFilter',
        'c (c): removed by DropNamed', 'd (d): passed']


def test_hosts_out_before_a_later_instance_say_so():
    flt = _handler(('DropNamed', DropNamed(['d'])))
    host_set = _hosts()
    _, trace = flt.run(host_set, h.spec(),
                       mask=np.array([True, True, False, True]), index=1)
    assert trace.explain(host_set)[2:] == [
        'c (c): out before this instance', 'd (d): removed by DropNamed']


def test_explain_option_logs_every_host_at_info(caplog):
    flt = _handler(('DropNamed', DropNamed(['a'])), explain=True)
    with caplog.at_level(logging.INFO, logger=explain.__name__):
        flt.run(_hosts(), h.spec(instance_uuid='inst-1'))
    lines = [r.getMessage() for r in caplog.records
             if r.levelno == logging.INFO]
    assert 'filter: instance 1 of inst-1: a (a): removed by DropNamed' in (
        lines)
    assert len(lines) == 4


def test_explanations_are_quiet_by_default(caplog):
    flt = _handler(('DropNamed', DropNamed(['a'])))
    with caplog.at_level(logging.INFO, logger=explain.__name__):
        flt.run(_hosts(), h.spec())
    assert caplog.records == []


def test_listeners_receive_the_explanation():
    received = []

    def listener(title, lines):
        received.append((title, lines))

    flt = _handler(('DropNamed', DropNamed(['a'])))
    flt.explainer.add_listener(listener)
    flt.run(_hosts(), h.spec())
    assert received == [('filter: instance 1 of request', [
        'a (a): removed by DropNamed', 'b (b): passed', 'c (c): passed',
        'd (d): passed'])]


def test_weights_hook_lists_hosts_best_first():
    host_set = _hosts()
    lines = explain.format_weights(host_set, [0, 2], [0.5, 1.5],
                                   {'RAMWeigher': [0.25, 1.0]})
    assert lines == ['c (c): weight 1.5000 [RAMWeigher 1.0000]',
                     'a (a): weight 0.5000 [RAMWeigher 0.2500]']


def test_rebuild_runs_only_the_filters_marked_for_rebuild():
    hosts = h.host_set([h.host('a', traits=['COMPUTE_STATUS_DISABLED'],
                               compute=h.compute(supported_instances=[
                                   ['aarch64', 'kvm', 'hvm']]))])
    spec = h.spec(image_props={'hw_architecture': 'x86_64'},
                  hints={'_nova_check_type': ['rebuild']})
    compute = ('ComputeFilter', compute_filter.ComputeFilter())
    image = ('ImagePropertiesFilter',
             image_properties_filter.ImagePropertiesFilter(conf=h.conf()))
    mask, trace = _handler(compute).run(hosts, spec)
    assert list(mask) == [True] and trace.steps == []
    mask, trace = _handler(compute, image).run(hosts, spec)
    assert list(mask) == [False]
    assert trace.reason() == '0 of 1 hosts passed: ImagePropertiesFilter 1->0'


def test_later_instances_of_an_affinity_group_follow_the_first():
    hosts = h.host_set([h.host('a'), h.host('b'), h.host('c')])
    spec = h.spec(group=h.group('affinity'))
    flt = _handler(('ServerGroupAffinityFilter',
                    server_group_affinity_filter.ServerGroupAffinityFilter(
                        conf=h.conf())))
    mask, _ = flt.run(hosts, spec)
    assert list(mask) == [True, True, True]
    hosts.consume(1, hosts[1].allocation_requests[0])
    mask, _ = flt.run(hosts, spec, mask=mask, index=1)
    assert list(mask) == [False, True, False]
    assert spec.instance_group.hosts == []


def test_default_filters_are_novas():
    conf = fakes.make_conf()
    # The tests' conf leaves ComputeFilter out; the service's default is
    # Nova's.
    conf.clear_override('enabled_filters', group='filter_scheduler')
    assert [name for name, _ in handler.FilterHandler(conf).filters] == [
        'ComputeFilter', 'ComputeCapabilitiesFilter', 'ImagePropertiesFilter',
        'ServerGroupAntiAffinityFilter', 'ServerGroupAffinityFilter']


def test_scheduler_explains_filters_then_weights_when_asked(caplog):
    import numpy as np

    from scheduler.drivers import filter_scheduler
    from tests.unit.drivers import fake_placement

    hosts = [dict(name='host-%d' % i,
                  capacity={'VCPU': 64, 'MEMORY_MB': mb, 'DISK_GB': 1000})
             for i, mb in enumerate([2048, 8192, 4096])]
    hosts[2]['traits'] = ['COMPUTE_STATUS_DISABLED']
    conf = fakes.make_conf(filter_scheduler={
        'explain': True, 'weight_classes': ['RAMWeigher'],
        'enabled_filters': ['ComputeFilter']})
    driver = filter_scheduler.FilterScheduler(
        conf=conf, placement=fake_placement.FakePlacement(hosts),
        rng=np.random.default_rng(0))
    # A source reports the three compute services up: the disabled trait
    # alone removes host-2.
    driver.host_facts = store.HostFactsStore(conf, sources=[
        facts_fakes.ComputeRecords(conf, facts_fakes.services_up(
            'host-0', 'host-1', 'host-2'))])
    with caplog.at_level(logging.INFO, logger=explain.__name__):
        driver.select_destinations(None, fakes.make_spec(), ['i-1'])
    lines = [r.getMessage() for r in caplog.records
             if r.name == explain.__name__]
    assert lines == [
        'filter: instance 1 of request: host-0 (host-0): passed',
        'filter: instance 1 of request: host-1 (host-1): passed',
        'filter: instance 1 of request: host-2 (host-2): removed by '
        'ComputeFilter',
        'weigh: instance 1 of request: host-1 (host-1): weight 1.0000 '
        '[RAMWeigher 1.0000]',
        # RAMWeigher normalises from 0, as Nova's (minval = 0).
        'weigh: instance 1 of request: host-0 (host-0): weight 0.2500 '
        '[RAMWeigher 0.2500]',
    ]


def test_a_listener_hears_its_own_drivers_explanations_only():
    heard = []
    mine = _handler(('DropNamed', DropNamed(['a'])))
    other = _handler(('DropNamed', DropNamed(['b'])))

    def listener(title, lines):
        heard.append(lines)

    mine.explainer.add_listener(listener)
    other.run(_hosts(), h.spec())
    assert heard == []
    mine.run(_hosts(), h.spec())
    assert heard[0][0] == 'a (a): removed by DropNamed'
    mine.explainer.remove_listener(listener)
    mine.run(_hosts(), h.spec())
    assert len(heard) == 1
