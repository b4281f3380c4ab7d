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

"""``scheduler-server``: start-up checks, launch, and a graceful stop."""

import gc
import os
import signal
import subprocess
import sys
import threading
import time
import types

from oslo_config import cfg
from oslo_context import context as oslo_context
import oslo_messaging
import pytest

from scheduler.cmd import server as server_cmd
from scheduler import exception
from scheduler.objects import request_spec as model
from scheduler.objects import selection
from scheduler.sim import rpc_client

CONF = server_cmd.CONF


@pytest.fixture(autouse=True)
def clean_conf(monkeypatch):
    # oslo.log's setup replaces the root logger's handlers (pytest's too).
    monkeypatch.setattr(server_cmd.logging, 'setup', lambda conf, name: None)
    yield
    CONF.reset()
    CONF.clear()


def _config(tmp_path, text):
    path = tmp_path / 'scheduler.conf'
    path.write_text('[DEFAULT]\ntransport_url = fake://\n' + text)
    return str(path)


class FakeLauncher:
    def __init__(self):
        self.launched = None

    def __call__(self, conf, service, workers=1, restart_method='reload'):
        self.launched = types.SimpleNamespace(
            conf=conf, service=service, workers=workers,
            restart_method=restart_method)
        return self

    def wait(self):
        return 0


def _factory(built):
    def factory(conf):
        built.append(conf)
        return object()
    return factory


def test_config_file_sets_host_workers_and_launches_with_mutate(tmp_path):
    built, launch = [], FakeLauncher()
    path = _config(tmp_path, 'host = sched-a\n[scheduler]\nworkers = 3\n')

    code = server_cmd.main(['--config-file', path],
                           manager_factory=_factory(built), launch=launch)

    assert code == 0
    assert CONF.host == 'sched-a'
    assert launch.launched.workers == 3
    assert launch.launched.restart_method == 'mutate'
    assert isinstance(launch.launched.service, server_cmd.SchedulerService)
    # Plugins were loaded once, in the parent, before any worker.
    assert built == [CONF]


def test_workers_default_to_the_cpu_count(tmp_path):
    launch = FakeLauncher()

    server_cmd.main(['--config-file', _config(tmp_path, '')],
                    manager_factory=_factory([]), launch=launch)

    assert launch.launched.workers == server_cmd.default_workers() >= 1


def test_plugin_that_does_not_load_stops_start_naming_it(tmp_path, capsys):
    launch = FakeLauncher()

    def factory(conf):
        raise exception.PluginLoadError(
            'no plugin named NoSuchFilter in namespace scheduler.filters')

    code = server_cmd.main(['--config-file', _config(tmp_path, '')],
                           manager_factory=factory, launch=launch)

    assert code != 0
    assert 'NoSuchFilter' in capsys.readouterr().err
    assert launch.launched is None


def test_bad_option_value_stops_start_naming_the_option(tmp_path, capsys):
    launch = FakeLauncher()
    path = _config(tmp_path, '[scheduler]\nmax_attempts = many\n')

    code = server_cmd.main(['--config-file', path],
                           manager_factory=_factory([]), launch=launch)

    assert code != 0
    assert '[scheduler] max_attempts' in capsys.readouterr().err
    assert launch.launched is None


def test_bad_transport_url_stops_start_without_showing_it(tmp_path, capsys):
    path = tmp_path / 'scheduler.conf'
    path.write_text('[DEFAULT]\n'
                    'transport_url = nosuchdriver://u:s3cr3t@host:5672/\n')

    code = server_cmd.main(['--config-file', str(path)],
                           manager_factory=_factory([]),
                           launch=FakeLauncher())

    err = capsys.readouterr().err
    assert code != 0
    assert 'transport_url' in err
    assert 's3cr3t' not in err


def test_unknown_argument_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as raised:
        server_cmd.main(['--no-such-flag'], launch=FakeLauncher())

    assert raised.value.code == 2
    assert 'scheduler-server: error' in capsys.readouterr().err


def test_worker_stop_lets_the_call_in_flight_finish():
    transport = oslo_messaging.get_rpc_transport(cfg.CONF, url='fake://')
    entered, release = threading.Event(), threading.Event()
    events = []

    class SlowManager:
        def select_destinations(self, context, spec, uuids, alternates,
                                on_candidates=None):
            entered.set()
            release.wait(10)
            host = types.SimpleNamespace(
                uuid='00000000-0000-4000-8000-000000000001', host='h1',
                nodename='n1', availability_zone=None,
                cell_uuid='00000000-0000-4000-8000-000000000002')
            events.append('call finished')
            return [[selection.Selection.from_host(host, {}, '1.36')]]

    service = server_cmd.SchedulerService(
        CONF, manager_factory=lambda conf: SlowManager(),
        transport_factory=lambda conf: transport)
    service.start()
    client = rpc_client.SchedulerClient(transport)
    answers = []
    caller = threading.Thread(target=lambda: answers.append(
        client.select_destinations(
            oslo_context.RequestContext(),
            model.RequestSpec(flavor=model.Flavor(vcpus=1, memory_mb=64)),
            ['i1'], return_objects=True)))
    caller.start()
    assert entered.wait(10)

    def stop():
        service.stop()
        events.append('stop returned')

    stopper = threading.Thread(target=stop)
    stopper.start()
    time.sleep(0.2)
    release.set()
    stopper.join(10)
    caller.join(10)

    assert events == ['call finished', 'stop returned']
    assert answers[0][0][0].service_host == 'h1'
    service.wait()  # returns at once: the worker has stopped


def test_launched_workers_serve_and_stop_on_sigterm(tmp_path):
    # The real launcher (oslo.service threading backend, cotyledon) in a
    # child process, with a stand-in manager.
    path = _config(tmp_path, 'host = sched-b\n[scheduler]\nworkers = 1\n')
    code = ('import sys; from scheduler.cmd import server; '
            'sys.exit(server.main(["--config-file", %r], '
            'manager_factory=lambda conf: object()))' % path)
    log = tmp_path / 'out.log'
    root = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))))
    env = dict(os.environ, PYTHONPATH=root, PYTHONWARNINGS='ignore')
    with open(log, 'wb') as out:
        process = subprocess.Popen([sys.executable, '-c', code], stdout=out,
                                   stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 30
        while b'serving topic scheduler' not in log.read_bytes():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert 'as server sched-b' in log.read_text()
    assert 'stopped' in log.read_text()


@pytest.mark.parametrize('option,expected', [(25000, 25000), (0, None)])
def test_a_worker_sets_the_young_collection_threshold(
        monkeypatch, option, expected):
    transport = oslo_messaging.get_rpc_transport(cfg.CONF, url='fake://')
    monkeypatch.setattr(server_cmd.gc, 'freeze', lambda: None)
    before = gc.get_threshold()
    CONF.set_override('gc_threshold', option, group='scheduler')
    service = server_cmd.SchedulerService(
        CONF, manager_factory=lambda conf: object(),
        transport_factory=lambda conf: transport)
    try:
        service.start()
        assert gc.get_threshold() == (
            (expected,) + before[1:] if expected else before)
    finally:
        gc.set_threshold(*before)
        service.stop()
