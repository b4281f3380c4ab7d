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

from oslo_upgradecheck import upgradecheck

from scheduler.cmd import status
from scheduler.host_facts import base
from scheduler.host_facts import health
from scheduler.host_facts import store
from scheduler.host_state import facts
from tests.unit.host_facts import fakes


def test_rpc_alone_is_healthy_but_warned_about_what_it_cannot_give():
    # The tests' enabled filters: Nova's defaults but ComputeFilter.
    state, lines, warnings = health.check(fakes.make_conf())
    assert state == base.OK
    assert lines == ["rpc: on (fed by Nova's casts in each worker)"]
    assert warnings == [
        health.AGGREGATES_FROM_CASTS_ONLY,
        'ComputeCapabilitiesFilter, ImagePropertiesFilter read compute '
        'services and details, which no configured source reports: they '
        'refuse every host for the requests that depend on them; configure '
        '[host_facts] sources = nova_db',
        'ServerGroupAntiAffinityFilter read instance lists, which come from '
        'Nova\'s casts only: a host is refused until its nova-compute sends '
        'its full list (sync_instance_info); configure [host_facts] sources '
        '= nova_db']
    check = status.check_host_facts(fakes.make_conf())
    assert check.code == upgradecheck.Code.WARNING
    assert 'configure [host_facts] sources = nova_db' in check.details


def test_a_good_file_is_reported_with_its_path(tmp_path):
    path = tmp_path / 'facts.yaml'
    path.write_text('aggregates: [{name: a, hosts: [h1]}]')
    # A filter reading aggregates only, which the file gives.
    conf = fakes.make_conf(host_facts={'sources': ['file']},
                           host_facts_file={'path': str(path)},
                           filter_scheduler={'enabled_filters': [
                               'AvailabilityZoneFilter']})
    state, lines, warnings = health.check(conf)
    assert state == base.OK
    assert lines[1].startswith('file: ok, data 0 s old, 0 failure(s)')
    assert str(path) in lines[1]
    # The file reads aggregates: nothing to warn about.
    assert warnings == []
    assert status.check_host_facts(conf).code == upgradecheck.Code.SUCCESS


def test_compute_filter_without_nova_db_is_warned_to_refuse_every_host():
    conf = fakes.make_conf(filter_scheduler={'enabled_filters': [
        'ComputeFilter', 'ImagePropertiesFilter']})
    _, _, warnings = health.check(conf)
    assert ('ComputeFilter, ImagePropertiesFilter read compute services '
            'and details, which no configured source reports: '
            'ComputeFilter refuses every host, the others the requests that '
            'depend on them; configure [host_facts] sources = nova_db'
            ) in warnings


def test_nova_db_gives_the_compute_and_instance_facts_filters_read(
        tmp_path):
    conf = fakes.make_conf(
        host_facts={'sources': ['nova_db']},
        host_facts_nova_db={'api_connection': 'sqlite:///%s/no/api.db'
                            % tmp_path},
        filter_scheduler={'enabled_filters': [
            'ComputeFilter', 'ServerGroupAntiAffinityFilter']})
    _, _, warnings = health.check(conf)
    assert not [w for w in warnings if 'ComputeFilter' in w or
                'ServerGroupAntiAffinityFilter' in w]


def test_nova_db_without_instances_is_told_the_same_fix_everywhere(
        tmp_path):
    conf = fakes.make_conf(
        host_facts={'sources': ['nova_db']},
        host_facts_nova_db={'api_connection': 'sqlite:///%s/no/api.db'
                            % tmp_path, 'read_instances': False},
        filter_scheduler={'enabled_filters': [
            'ServerGroupAntiAffinityFilter']})
    _, _, warnings = health.check(conf)
    fix = 'set [host_facts_nova_db] read_instances = True'
    assert [w for w in warnings if 'ServerGroupAntiAffinityFilter' in w
            ] == ['ServerGroupAntiAffinityFilter read instance lists, which '
                  'come from Nova\'s casts only: a host is refused until its '
                  'nova-compute sends its full list (sync_instance_info); '
                  + fix]
    # The refusal of a host names the same fix.
    reason = store.HostFactsStore(conf).missing(facts.INSTANCES)
    assert reason == ('no full instance list from their nova-compute since '
                      'start; %s, or wait for the computes\' next '
                      'sync_instance_info' % fix)
    reason = store.HostFactsStore(fakes.make_conf()).missing(facts.INSTANCES)
    assert 'configure [host_facts] sources = nova_db' in reason


def test_unreadable_nova_db_fails_the_status_check(tmp_path):
    conf = fakes.make_conf(
        host_facts={'sources': ['nova_db']},
        host_facts_nova_db={'api_connection': 'sqlite:///%s/no/api.db'
                            % tmp_path})
    check = status.check_host_facts(conf)
    assert check.code == upgradecheck.Code.FAILURE
    assert 'nova_db: failed, never loaded' in check.details


def test_invalid_file_fails_the_status_check_naming_the_entry(tmp_path):
    path = tmp_path / 'facts.yaml'
    path.write_text('cells: [{uuid: not-a-uuid}]')
    conf = fakes.make_conf(host_facts={'sources': ['file']},
                           host_facts_file={'path': str(path)})
    check = status.check_host_facts(conf)
    assert check.code == upgradecheck.Code.FAILURE
    assert 'cells[0].uuid must be a UUID' in check.details
