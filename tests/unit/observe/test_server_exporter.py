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

"""scheduler-server with [metrics_exporter]: set up before the workers."""

import os
import socket

import pytest

from scheduler.cmd import server as server_cmd
from scheduler.observe import metrics
from tests.fixtures import scrape
from tests.unit.cmd.test_server import clean_conf  # noqa: F401 (autouse)

CONF = server_cmd.CONF


def _config(tmp_path, listen):
    path = tmp_path / 'scheduler.conf'
    path.write_text('[DEFAULT]\ntransport_url = fake://\n'
                    '[metrics_exporter]\nlisten = %s\n' % listen)
    return str(path)


class Launcher:
    """Records what a worker would inherit when the launcher runs."""

    def __init__(self):
        self.seen = None

    def __call__(self, conf, service, workers=1, restart_method='reload'):
        return self

    def wait(self):
        directory = os.environ.get(metrics.MULTIPROC_DIR_ENV)
        port = int(CONF.metrics_exporter.listen.rpartition(':')[2])
        text, _samples = scrape.scrape(port)
        self.seen = (directory, text)
        return 0


def test_exporter_serves_while_workers_run_and_is_cleaned_after(tmp_path):
    launch = Launcher()
    listen = '127.0.0.1:%d' % scrape.free_port()

    code = server_cmd.main(
        ['--config-file', _config(tmp_path, listen)],
        manager_factory=lambda conf: object(), launch=launch)

    assert code == 0
    directory, text = launch.seen
    assert directory and text == ''
    assert not os.path.exists(directory)
    assert metrics.MULTIPROC_DIR_ENV not in os.environ


@pytest.mark.parametrize('listen', ['9180', '127.0.0.1:99999'])
def test_bad_listen_value_stops_start_naming_the_option(
        tmp_path, capsys, listen):
    launch = Launcher()

    code = server_cmd.main(['--config-file', _config(tmp_path, listen)],
                           manager_factory=lambda conf: object(),
                           launch=launch)

    assert code != 0
    assert '[metrics_exporter] listen' in capsys.readouterr().err
    assert launch.seen is None


def test_listen_address_in_use_stops_start_naming_the_option(
        tmp_path, capsys):
    launch = Launcher()
    with socket.socket() as taken:
        taken.bind(('127.0.0.1', 0))
        taken.listen()
        listen = '127.0.0.1:%d' % taken.getsockname()[1]
        code = server_cmd.main(['--config-file', _config(tmp_path, listen)],
                               manager_factory=lambda conf: object(),
                               launch=launch)

    assert code == 1
    err = capsys.readouterr().err
    assert '[metrics_exporter] listen = %s cannot be bound' % listen in err
    assert launch.seen is None
