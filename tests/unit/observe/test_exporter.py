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

"""The exporter: forked workers' metrics summed at one endpoint."""

import multiprocessing
import os
import socket

import pytest

from scheduler.conf import metrics_exporter as exporter_conf
from scheduler.cycle import request as cycle_request
from scheduler.host_facts import base as facts_base
from scheduler.observe import exporter
from scheduler.observe import metrics
from tests.fixtures import conf as conf_fixture
from tests.fixtures import scrape
from tests.unit.host_state import fakes


@pytest.fixture
def running():
    conf = conf_fixture.make_conf(
        metrics_exporter={'listen': '127.0.0.1:%d' % scrape.free_port()})
    exp = exporter.Exporter(conf)
    exp.start()
    yield exp
    exp.stop()


def _worker(done, stay):
    """A forked worker: one placed request, its gauges, then exit."""
    recorder = metrics.PrometheusRecorder()
    request = cycle_request.Request(fakes.make_spec(), ['i-1'])
    request.timings['query'] = 0.001
    recorder.request_done(request, 0.01)
    recorder.claim_conflict()
    recorder.flush()
    recorder.publish_health(
        [facts_base.Health('rpc', facts_base.OK, 1.0, 0)], 1)
    listening = [s.fileno() for s in exporter._PARENT_SOCKETS]
    done.put(listening)
    stay.wait(30)


def test_scrape_sums_forked_workers_and_drops_gauges_of_dead_ones(running):
    ctx = multiprocessing.get_context('fork')
    done, stay = ctx.Queue(), ctx.Event()
    workers = [ctx.Process(target=_worker, args=(done, stay))
               for _ in range(2)]
    for w in workers:
        w.start()
    # The workers do not inherit the parent's listening socket.
    assert [done.get(timeout=30) for _ in workers] == [[], []]

    _text, live = scrape.scrape(running.address[1])
    stay.set()
    for w in workers:
        w.join(timeout=30)
    _text, gone = scrape.scrape(running.address[1])

    placed = ('scheduler_request_duration_seconds_count',
              (('result', 'placed'),))
    pending = ('scheduler_deferred_releases_pending', ())
    ok = ('scheduler_host_facts_state', (('source', 'rpc'), ('state', 'ok')))
    assert live[placed] == 2
    assert live[('scheduler_claim_conflicts_total', ())] == 2
    assert live[pending] == 2
    assert live[ok] == 2
    # Counters outlive their workers; the workers' gauges do not.
    assert gone[placed] == 2
    assert pending not in gone and ok not in gone


def test_stop_removes_the_directory_and_closes_the_endpoint():
    conf = conf_fixture.make_conf(
        metrics_exporter={'listen': '127.0.0.1:%d' % scrape.free_port()})
    exp = exporter.Exporter(conf)
    exp.start()
    directory, address = exp.directory, exp.address
    assert os.environ[metrics.MULTIPROC_DIR_ENV] == directory
    assert oct(os.stat(directory).st_mode & 0o777) == '0o700'

    exp.stop()

    assert not os.path.exists(directory)
    assert metrics.MULTIPROC_DIR_ENV not in os.environ
    with pytest.raises(OSError):
        socket.create_connection(address, timeout=2).close()


def test_address_in_use_stops_the_exporter_naming_the_option():
    with socket.socket() as taken:
        taken.bind(('127.0.0.1', 0))
        taken.listen()
        port = taken.getsockname()[1]
        exp = exporter.Exporter(conf_fixture.make_conf(
            metrics_exporter={'listen': '127.0.0.1:%d' % port}))
        with pytest.raises(exporter.ExporterError) as err:
            exp.start()
    assert '[metrics_exporter] listen' in str(err.value)
    assert exp.directory is None


def test_exporter_is_off_by_default():
    exp = exporter.Exporter(conf_fixture.make_conf())

    exp.start()

    assert not exp.enabled and exp.directory is None
    assert metrics.MULTIPROC_DIR_ENV not in os.environ


def test_files_of_a_pid_that_is_not_our_child_are_marked_dead(tmp_path):
    for name in ('gauge_livesum_%d.db', 'counter_%d.db'):
        for pid in (os.getpid(), 1):
            (tmp_path / (name % pid)).write_bytes(b'')

    assert exporter.mark_dead_workers(str(tmp_path)) == [1]
    assert sorted(os.listdir(tmp_path)) == sorted([
        'counter_1.db', 'counter_%d.db' % os.getpid(),
        'gauge_livesum_%d.db' % os.getpid()])


@pytest.mark.parametrize('value,expected', [
    ('127.0.0.1:9180', ('127.0.0.1', 9180)),
    ('localhost:80', ('localhost', 80)),
    ('[::1]:9180', ('::1', 9180)),
])
def test_listen_takes_host_and_port(value, expected):
    assert exporter_conf.parse_listen(value) == expected


@pytest.mark.parametrize('value', [
    '9180', '127.0.0.1', '127.0.0.1:', ':9180', '127.0.0.1:0',
    '127.0.0.1:65536', '127.0.0.1:http', '::1:9180', 'bad host:80',
    '[not-v6]:80'])
def test_listen_refuses_what_is_not_host_and_port(value):
    with pytest.raises(ValueError):
        exporter_conf.parse_listen(value)


def test_bad_listen_value_is_an_error_of_the_option(tmp_path):
    path = tmp_path / 'scheduler.conf'
    path.write_text('[metrics_exporter]\nlisten = 9180\n')
    conf = conf_fixture.make_conf()
    conf(['--config-file', str(path)], project='scheduler-tests',
         default_config_dirs=[])

    with pytest.raises(ValueError) as err:
        conf.metrics_exporter.listen
    assert 'HOST:PORT' in str(err.value)
