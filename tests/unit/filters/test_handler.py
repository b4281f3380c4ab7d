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

import logging

import numpy as np
import pytest

from scheduler import exception
from scheduler.filters import all_hosts_filter
from scheduler.filters import base
from scheduler.filters import compute_filter
from scheduler.filters import handler
from scheduler.host_state import facts as host_facts
from scheduler.host_state import host_state as hs
from scheduler.objects import request_spec as rs
from tests.unit.host_state import fakes


class KeepFirst(base.BaseHostFilter):
    """Per-host only: passes the first ``n`` hosts by name order."""

    def __init__(self, n, conf=None):
        super().__init__(conf)
        self.n = n
        self.asked = []

    def host_passes(self, host_state, spec):
        self.asked.append(host_state.host)
        return int(host_state.host.split('-')[1]) < self.n


class Nothing(base.ColumnFilter):
    def filter_mask(self, host_set, spec):
        return np.zeros(len(host_set), dtype=bool)


class Once(Nothing):
    run_filter_once_per_request = True


def _hosts(count, disabled=0):
    """Hosts of up compute services, the first ``disabled`` disabled."""
    hosts = fakes.uniform_hosts(count)
    for host in hosts[:disabled]:
        host['traits'] = [hs.DISABLED_TRAIT]
    return fakes.make_host_set(hosts, facts=fakes.services_up(hosts))


def _handler(*filters):
    return handler.FilterHandler(conf=fakes.make_conf(), filters=filters)


def test_trace_records_hosts_before_and_after_each_filter():
    flt = _handler(('ComputeFilter', compute_filter.ComputeFilter()),
                   ('KeepFirst', KeepFirst(15)))
    mask, trace = flt.run(_hosts(20, disabled=5), fakes.make_spec())
    assert mask.sum() == 10
    assert [(s.name, s.before, s.after) for s in trace.steps] == [
        ('ComputeFilter', 20, 15), ('KeepFirst', 15, 10)]
    assert trace.passed == 10
    assert trace.emptied_by is None


def test_reason_names_the_filter_that_emptied_the_list():
    flt = _handler(('ComputeFilter', compute_filter.ComputeFilter()),
                   ('XFilter', Nothing()))
    mask, trace = flt.run(_hosts(1000, disabled=10), fakes.make_spec())
    assert not mask.any()
    assert trace.emptied_by == 'XFilter'
    assert trace.reason() == (
        '0 of 1000 hosts passed: ComputeFilter 1000->990, XFilter 990->0')


def test_step_counts_the_removed_hosts_that_lacked_a_fact_it_reads():
    hosts = fakes.uniform_hosts(4)
    hosts[0]['traits'] = [hs.DISABLED_TRAIT]
    # No source reported host-00002's and host-00003's compute service.
    host_set = fakes.make_host_set(hosts,
                                   facts=fakes.services_up(hosts[:2]))
    flt = _handler(('ComputeFilter', compute_filter.ComputeFilter()))
    mask, trace = flt.run(host_set, fakes.make_spec())
    assert list(mask) == [False, True, False, False]
    assert trace.summary() == (
        'ComputeFilter 4->1 (2 of them with compute service and details '
        'unknown: no source reported it)')
    # The store's reason, when the pipeline has one.
    host_set.missing_reasons = {host_facts.COMPUTE: 'ask nova_db'}
    _, trace = flt.run(host_set, fakes.make_spec())
    assert trace.summary() == (
        'ComputeFilter 4->1 (2 of them with compute service and details '
        'unknown: ask nova_db)')


def test_filters_after_the_list_is_empty_do_not_run():
    keep = KeepFirst(5)
    flt = _handler(('Nothing', Nothing()), ('KeepFirst', keep))
    mask, trace = flt.run(_hosts(10), fakes.make_spec())
    assert [s.name for s in trace.steps] == ['Nothing']
    assert keep.asked == []


def test_filter_without_column_method_is_asked_per_host_still_in():
    keep = KeepFirst(3)
    flt = _handler(('ComputeFilter', compute_filter.ComputeFilter()),
                   ('KeepFirst', keep))
    mask, trace = flt.run(_hosts(6, disabled=2), fakes.make_spec())
    assert keep.asked == ['host-00002', 'host-00003', 'host-00004',
                          'host-00005']
    assert list(mask) == [False, False, True, False, False, False]


def test_column_and_per_host_paths_give_the_same_mask():
    host_set = _hosts(50, disabled=7)
    spec = fakes.make_spec()

    class PerHostCompute(base.BaseHostFilter):
        rule = compute_filter.ComputeFilter()

        def host_passes(self, host_state, spec):
            return self.rule.host_passes(host_state, spec)

    column, _ = _handler(('C', compute_filter.ComputeFilter())).run(
        host_set, spec)
    per_host, _ = _handler(('C', PerHostCompute())).run(host_set, spec)
    assert list(column) == list(per_host)


def test_given_mask_is_the_starting_point_and_is_not_modified():
    start = np.array([True, False, True, True])
    mask, trace = _handler(('KeepFirst', KeepFirst(3))).run(
        _hosts(4), fakes.make_spec(), mask=start, index=1)
    assert list(start) == [True, False, True, True]
    assert list(mask) == [True, False, True, False]
    assert trace.total == 3


def test_once_per_request_filter_runs_for_the_first_instance_only():
    flt = _handler(('Once', Once()),
                   ('All', all_hosts_filter.AllHostsFilter()))
    host_set = _hosts(3)
    mask, trace = flt.run(host_set, fakes.make_spec(), index=0)
    assert trace.emptied_by == 'Once'
    mask, trace = flt.run(host_set, fakes.make_spec(), index=1)
    assert trace.steps == []
    assert mask.all()


def test_hosts_consumed_by_earlier_instances_are_a_step():
    host_set = fakes.make_host_set(fakes.uniform_hosts(
        3, capacity={'VCPU': 1, 'MEMORY_MB': 1024, 'DISK_GB': 10}))
    host_set.consume(0, host_set[0].allocation_requests[0])
    mask, trace = _handler().run(host_set, fakes.make_spec(), index=1)
    assert list(mask) == [False, True, True]
    assert trace.reason() == (
        '2 of 3 hosts passed: %s 3->2' % handler.ROOM_STEP)


def test_requested_hosts_are_steps_before_the_filters():
    flt = _handler(('ComputeFilter', compute_filter.ComputeFilter()))
    spec = fakes.make_spec(ignore_hosts=['host-00002'])
    mask, trace = flt.run(_hosts(4, disabled=1), spec)
    assert list(mask) == [False, True, False, True]
    assert trace.summary() == 'ignore_hosts 4->3, ComputeFilter 3->2'


def test_forced_hosts_skip_the_filters_as_in_nova():
    flt = _handler(('ComputeFilter', compute_filter.ComputeFilter()))
    spec = fakes.make_spec(force_hosts=['HOST-00000'],
                           ignore_hosts=['host-00002'])
    mask, trace = flt.run(_hosts(4, disabled=1), spec)
    # host-00000 is the disabled one: forcing it bypasses ComputeFilter.
    assert list(mask) == [True, False, False, False]
    assert trace.summary() == 'ignore_hosts 4->3, force_hosts 3->1'


def test_forced_hosts_are_filtered_on_a_rebuild_check():
    flt = _handler(('ComputeFilter', compute_filter.ComputeFilter()))
    compute_filter.ComputeFilter.RUN_ON_REBUILD = True
    try:
        spec = fakes.make_spec(
            force_hosts=['host-00000'],
            scheduler_hints={'_nova_check_type': ['rebuild']})
        mask, trace = flt.run(_hosts(4, disabled=1), spec)
    finally:
        compute_filter.ComputeFilter.RUN_ON_REBUILD = False
    assert not mask.any()
    assert trace.summary() == 'force_hosts 4->1, ComputeFilter 1->0'


def test_debug_log_names_the_hosts_each_filter_removed(caplog):
    caplog.set_level(logging.DEBUG, logger='scheduler.filters.handler')
    flt = _handler(('ComputeFilter', compute_filter.ComputeFilter()))
    flt.run(_hosts(3, disabled=1), fakes.make_spec())
    text = caplog.text
    assert 'ComputeFilter removed 1 hosts: host-00000' in text
    assert '2 of 3 hosts passed: ComputeFilter 3->2' in text


def test_enabled_filters_load_by_entry_point_name_in_config_order():
    conf = fakes.make_conf(filter_scheduler={
        'enabled_filters': ['ComputeFilter', 'AllHostsFilter']})
    flt = handler.FilterHandler(conf)
    assert [name for name, _ in flt.filters] == [
        'ComputeFilter', 'AllHostsFilter']
    assert isinstance(flt.filters[0][1], compute_filter.ComputeFilter)
    assert flt.filters[0][1].conf is conf


def test_unknown_filter_name_stops_loading_and_names_it():
    conf = fakes.make_conf(filter_scheduler={
        'enabled_filters': ['ComputeFilter', 'NoSuchFilter']})
    with pytest.raises(exception.PluginLoadError) as e:
        handler.FilterHandler(conf)
    assert 'NoSuchFilter' in str(e.value)
    assert 'scheduler.filters' in str(e.value)


def test_filter_that_fails_to_import_stops_loading_and_names_it(
        tmp_path, monkeypatch):
    fakes.install_plugins(
        tmp_path, monkeypatch, 'scheduler.filters',
        {'BrokenFilter': 'broken_filter_mod:BrokenFilter'},
        {'broken_filter_mod': 'raise ImportError("no such dependency")\n'})
    conf = fakes.make_conf(filter_scheduler={
        'enabled_filters': ['BrokenFilter']})
    with pytest.raises(exception.PluginLoadError) as e:
        handler.FilterHandler(conf)
    assert 'BrokenFilter' in str(e.value)
    assert 'no such dependency' in str(e.value)


def test_third_party_filter_loads_from_its_entry_point(
        tmp_path, monkeypatch):
    source = ('from scheduler.filters import base\n'
              'class EvenFilter(base.BaseHostFilter):\n'
              '    def host_passes(self, host_state, spec):\n'
              '        return host_state.host[-1] in "02468"\n')
    fakes.install_plugins(tmp_path, monkeypatch, 'scheduler.filters',
                          {'EvenFilter': 'even_filter_mod:EvenFilter'},
                          {'even_filter_mod': source})
    conf = fakes.make_conf(filter_scheduler={
        'enabled_filters': ['EvenFilter']})
    mask, trace = handler.FilterHandler(conf).run(_hosts(4),
                                                  fakes.make_spec())
    assert list(mask) == [True, False, True, False]
    assert trace.summary() == 'EvenFilter 4->2'


def test_builtin_filters_answer_by_column_never_per_host(monkeypatch):
    def per_host(*args):
        raise AssertionError('per-host path used')

    monkeypatch.setattr(compute_filter.ComputeFilter, 'host_passes',
                        per_host)
    monkeypatch.setattr(all_hosts_filter.AllHostsFilter, 'host_passes',
                        per_host)
    conf = fakes.make_conf(filter_scheduler={
        'enabled_filters': ['AllHostsFilter', 'ComputeFilter']})
    mask, trace = handler.FilterHandler(conf).run(_hosts(10, disabled=4),
                                                  fakes.make_spec())
    assert mask.sum() == 6


def test_a_move_stays_in_its_cell_unless_it_may_cross():
    flt = _handler()
    stay = fakes.make_spec(requested_destination=rs.Destination(
        cell_uuid='00000000-0000-0000-0000-0000000000c2'))
    mask, trace = flt.run(_hosts(3), stay)
    assert not mask.any()
    assert trace.summary() == 'requested_destination cell 3->0'
    same = fakes.make_spec(requested_destination=rs.Destination(
        cell_uuid=fakes.CELL))
    assert flt.run(_hosts(3), same)[0].all()
    cross = fakes.make_spec(requested_destination=rs.Destination(
        cell_uuid='00000000-0000-0000-0000-0000000000c2',
        allow_cross_cell_move=True))
    assert flt.run(_hosts(3), cross)[0].all()
