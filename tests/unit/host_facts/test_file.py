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

import pytest

from scheduler.host_facts import base
from scheduler.host_facts import file as file_source
from tests.unit.host_facts import fakes

CELL = '5e1a0000-0000-4000-8000-000000000001'
GOOD = '''
aggregates:
  - name: rack1
    id: 7
    hosts: [compute1, compute2]
    metadata: {availability_zone: az1}
cells:
  - uuid: %s
    name: cell1
    hosts: [compute1]
''' % CELL


def _source(tmp_path, text, clock=None):
    path = tmp_path / 'host_facts.yaml'
    path.write_text(text)
    conf = fakes.make_conf(host_facts_file={'path': str(path)},
                           host_facts={'max_stale_seconds': 60})
    return file_source.FileSource(conf, clock=clock or fakes.Clock()), path


def test_aggregates_and_cells_are_read(tmp_path):
    source, _ = _source(tmp_path, GOOD)
    (aggregate,) = source.aggregates().values()
    assert aggregate.id == 7
    assert aggregate.hosts == frozenset(['compute1', 'compute2'])
    assert aggregate.availability_zone == 'az1'
    assert source.host('compute1').cell_uuid == CELL
    assert source.host('compute2') is None


@pytest.mark.parametrize('text, message', [
    ('aggregates: [{hosts: [a]}]', 'aggregates[0].name must be a non-empty'),
    ('aggregates: [{name: x, colour: red}]', 'unknown key(s) colour'),
    ('aggregates: [{name: x, metadata: {k: 1}}]',
     'aggregates[0].metadata.k must map a string to a string'),
    ('aggregates: [{name: x, id: one}]', 'aggregates[0].id must be an int'),
    ('cells: [{uuid: nope, hosts: [a]}]', "cells[0].uuid must be a UUID"),
    ('cells: [{uuid: %s, hosts: [a]}, {uuid: %s, hosts: [a]}]' % (CELL, CELL),
     'cells[1] maps host a to a second cell'),
    ('aggregates: [', 'is not valid YAML'),
    ('- just a list', 'must be a mapping'),
    ('cells: 3', 'cells must be a list'),
])
def test_invalid_file_is_refused_at_start_naming_the_entry(
        tmp_path, text, message):
    with pytest.raises(file_source.InvalidHostFactsFile) as e:
        _source(tmp_path, text)
    assert message in str(e.value)
    assert 'host_facts.yaml' in str(e.value)


def test_missing_file_is_refused_at_start(tmp_path):
    conf = fakes.make_conf(
        host_facts_file={'path': str(tmp_path / 'absent.yaml')})
    with pytest.raises(file_source.InvalidHostFactsFile,
                       match='absent.yaml cannot be read'):
        file_source.FileSource(conf)


def test_reload_takes_the_new_file(tmp_path):
    source, path = _source(tmp_path, GOOD)
    path.write_text('aggregates: [{name: other, id: 9, hosts: [c3]}]')
    source.reload()
    assert list(source.aggregates()) == [9]
    assert source.host('compute1') is None


def test_bad_reload_keeps_the_last_good_data_then_fails_closed(
        tmp_path, caplog):
    clock = fakes.Clock()
    source, path = _source(tmp_path, GOOD, clock)
    path.write_text('aggregates: [{name: 5}]')
    source.reload()
    source.reload()
    assert list(source.aggregates()) == [7]
    assert source.state() == base.STALE
    assert source.failures == 2
    assert source.refused_hosts(['compute1']) == {}
    failed_logs = [r for r in caplog.records
                   if 'failed' in r.getMessage() and r.levelname == 'ERROR']
    assert len(failed_logs) == 1
    clock.advance(61)
    refused = source.refused_hosts(['compute1', 'compute2'])
    assert sorted(refused) == ['compute1', 'compute2']
    assert 'aggregates[0].name' in refused['compute1']
    assert source.health().state == base.FAILED


def test_good_reload_recovers_a_failed_source(tmp_path):
    clock = fakes.Clock()
    source, path = _source(tmp_path, GOOD, clock)
    path.write_text('cells: 3')
    source.reload()
    clock.advance(120)
    assert source.state() == base.FAILED
    path.write_text(GOOD)
    source.reload()
    assert source.state() == base.OK
    assert source.refused_hosts(['compute1']) == {}


def test_a_worker_started_on_a_bad_file_serves_what_its_parent_read(
        tmp_path):
    clock = fakes.Clock()
    parent, path = _source(tmp_path, GOOD, clock)
    path.write_text('aggregates: [{name: 5}]')
    clock.advance(3600)
    worker = file_source.FileSource(parent.conf, clock=clock)
    assert list(worker.aggregates()) == [7]
    assert worker.state() == base.STALE
    assert 'aggregates[0].name' in worker.health().describe()
    clock.advance(61)
    assert sorted(worker.refused_hosts(['compute1'])) == ['compute1']
