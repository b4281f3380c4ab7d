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

"""What the test process does so that our scheduler can stand in for Nova's.

``install()`` (once per worker process, before any test):

- registers ``bridge.SchedulerManager`` as the manager of
  ``nova-scheduler`` in ``nova.service.SERVICE_MANAGERS``, which is where
  ``start_service('scheduler')`` finds it;
- serves every Placement fixture's WSGI app on a loopback port as well
  (Nova's fixture only intercepts requests made inside this process;
  the service is another process);
- records the sqlite files Nova's database fixtures create (threading
  mode), by label: ``api``, ``main`` and each cell's mapping label.

A worker takes one of the broker's virtual hosts (``SCHEDULER_NF_SLOTS``
of them, made by the runner) for its lifetime, so that the servers of two
workers never read each other's queues; tests in a worker run one at a
time, and each test's server is stopped before the next one starts.
"""

import fcntl
import importlib
import os
import socketserver
import sys
import threading
from urllib import parse
from wsgiref import simple_server

# First: Nova's functional package chooses threading or eventlet (and
# forbids eventlet under threading) before anything imports it.
import nova.tests.functional  # noqa: F401  isort:skip

from nova import service as nova_service
from nova.tests.functional import fixtures as func_fixtures
from placement import deploy

MANAGER = 'scheduler_nova_functional.bridge.SchedulerManager'

# label -> sqlite URL of the databases of the current test.
DB_URLS = {}
# The Placement fixture of the current test.
PLACEMENT = {}

_slot = {}


class _QuietHandler(simple_server.WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


class _ThreadingWSGIServer(socketserver.ThreadingMixIn,
                           simple_server.WSGIServer):
    daemon_threads = True


def serve_on_loopback(app):
    """Serve ``app`` on 127.0.0.1; returns (endpoint, stop)."""
    server = simple_server.make_server(
        '127.0.0.1', 0, app, server_class=_ThreadingWSGIServer,
        handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever,
                              name='placement-loopback', daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        server.server_close()
        thread.join()

    return 'http://127.0.0.1:%d' % server.server_address[1], stop


def _patch_placement_fixture():
    original = func_fixtures.PlacementFixture.setUp

    def setUp(fixture):
        original(fixture)
        endpoint, stop = serve_on_loopback(
            deploy.loadapp(fixture.conf_fixture.conf))
        fixture.addCleanup(stop)
        PLACEMENT['endpoint'] = endpoint
        PLACEMENT['token'] = fixture.token

    func_fixtures.PlacementFixture.setUp = setUp


def _patch_database_files():
    # By its full name: nova.tests.fixtures re-exports another "nova".
    nova_fixtures = importlib.import_module('nova.tests.fixtures.nova')
    original = nova_fixtures._use_file_backed_sqlite_with_wal

    def record(name):
        url, path = original(name)
        DB_URLS[name] = url
        return url, path

    nova_fixtures._use_file_backed_sqlite_with_wal = record


def transport_url():
    """This worker's virtual host on the runner's broker."""
    if 'url' not in _slot:
        lock_dir = os.environ['SCHEDULER_NF_LOCK_DIR']
        for number in range(int(os.environ['SCHEDULER_NF_SLOTS'])):
            handle = open(os.path.join(lock_dir, 'slot%d' % number), 'w')
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                continue
            _slot['handle'] = handle
            base = os.environ['SCHEDULER_NF_TRANSPORT_URL'].rstrip('/')
            _slot['url'] = '%s/%s' % (base, parse.quote('slot%d' % number))
            break
        else:
            raise RuntimeError('no free broker slot: more stestr workers '
                               'than SCHEDULER_NF_SLOTS')
    return _slot['url']


def install():
    nova_service.SERVICE_MANAGERS['nova-scheduler'] = MANAGER
    _patch_placement_fixture()
    _patch_database_files()
    if '--list' not in sys.argv:
        # A worker (not stestr's listing): its broker link, opened before
        # any test, so that no test's leak checks count its pollers.
        bridge = importlib.import_module('scheduler_nova_functional.bridge')
        bridge.open_link(transport_url())
        # The servers' parent, forked before any test starts a thread.
        zygote = importlib.import_module('scheduler_nova_functional.zygote')
        servers = os.path.join(os.environ['SCHEDULER_NF_LOCK_DIR'], '..',
                               'servers')
        os.makedirs(servers, exist_ok=True)
        zygote.start(os.path.join(servers, 'zygote-%d.log' % os.getpid()))
