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

"""One ``scheduler-server`` per test, configured from the test's Nova config.

The service's configuration is written as an operator would write it from
their ``nova.conf``: Nova's ``[scheduler]``, ``[filter_scheduler]``,
``[metrics]``, ``[notifications]`` and ``[oslo_messaging_notifications]``
groups are copied as they are (oslo.config ignores the options the service
does not have), with what the deployment itself decides: the broker, the
test's Placement endpoint, and the test's Nova databases as the
``nova_db`` host-facts source.
"""

import configparser
import datetime
import importlib
import os
import signal
import tempfile
import time

from kombu import connection as kombu_connection
from oslo_log import log as logging
from oslo_utils import timeutils

from scheduler_nova_functional import harness
from scheduler_nova_functional import zygote

# Nova's option groups an operator's nova.conf shares with the service.
COPIED_GROUPS = ('scheduler', 'filter_scheduler', 'metrics',
                 'notifications', 'oslo_messaging_notifications')
COPIED_DEFAULTS = ('host', 'default_availability_zone')
READY_LINE = 'serving topic scheduler'
# Nova's test weighers that weigh hosts by name, each with how to read its
# weights; the service's counterpart is in tests/nova_functional/plugins.
NOVA_HOST_NAME_WEIGHERS = {
    # HostNameWeigherFixture patched get_weights() to return its weights.
    'nova.tests.fixtures.nova.HostNameWeigher':
        lambda weigher: weigher.get_weights(),
    # test_cross_cell_migrate's own, with fixed weights.
    'nova.tests.functional.test_cross_cell_migrate.HostNameWeigher':
        lambda weigher: weigher._weights,
}
HOST_NAME_WEIGHER = 'HostNameWeigher'
READY_TIMEOUT = 60
STOP_TIMEOUT = 10

LOG = logging.getLogger(__name__)

_running = []


def _format(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (list, tuple)):
        return ','.join(_format(v) for v in value)
    if isinstance(value, dict):
        return ','.join('%s:%s' % (k, _format(v)) for k, v in value.items())
    return str(value).replace('$', '$$')


def _copy(conf, group, names, out):
    values = conf if group == 'DEFAULT' else conf[group]
    section = out.setdefault(group, {})
    for name in names:
        try:
            value = getattr(values, name)
        except Exception:
            continue
        if value is not None and not hasattr(value, '_fields'):
            section[name] = _format(value)


def service_config(conf, transport_url):
    """{group: {option: value}} of the service for this test.

    The log file is not in it: ``start`` adds it.
    """
    out = {}
    _copy(conf, 'DEFAULT', COPIED_DEFAULTS, out)
    for group in COPIED_GROUPS:
        if group in conf:
            _copy(conf, group, list(conf[group]), out)
    out['DEFAULT'].update({'transport_url': transport_url, 'debug': 'true'})
    out['scheduler']['workers'] = '1'
    _host_name_weigher(conf, out)
    # Nova's tests catch every notification whatever the driver; ours go
    # over the broker, for the bridge to hand them to the test.
    out['oslo_messaging_notifications']['driver'] = 'messagingv2'
    out['placement'] = {
        'auth_type': 'admin_token',
        'endpoint_override': harness.PLACEMENT['endpoint'],
        'token': harness.PLACEMENT['token']}
    cells = {label: url for label, url in harness.DB_URLS.items()
             if label not in ('api', 'main')}
    out['host_facts'] = {'sources': 'nova_db'}
    out['host_facts_nova_db'] = {
        'api_connection': harness.DB_URLS['api'],
        'cell_connections': _format(cells),
        'service_down_time': str(conf.service_down_time)}
    return out


def _host_name_weigher(conf, out):
    """A Nova test's host name weigher and its weights, for the service."""
    classes = list(conf.filter_scheduler.weight_classes)
    found = [c for c in classes if c in NOVA_HOST_NAME_WEIGHERS]
    if not found:
        return
    module, _, name = found[0].rpartition('.')
    weigher = getattr(importlib.import_module(module), name)
    weights = NOVA_HOST_NAME_WEIGHERS[found[0]](weigher)
    out['filter_scheduler']['weight_classes'] = _format(
        [HOST_NAME_WEIGHER if c in NOVA_HOST_NAME_WEIGHERS else c
         for c in classes])
    out['host_name_weigher'] = {'weights': _format(weights)}


def _purge(transport_url, host):
    """Drop what a previous test's callers left in this slot's queues."""
    url = transport_url.replace('rabbit://', 'amqp://', 1)
    with kombu_connection.Connection(url) as conn:
        channel = conn.channel()
        for queue in ('scheduler', 'scheduler.%s' % host):
            channel.queue_delete(queue)


class SchedulerServer:
    def __init__(self, workdir, config_file, log_file, options):
        self.options = options
        self.workdir = workdir
        self.config_file = config_file
        self.log_file = log_file
        self.pid = None
        self.ready = False

    def start(self):
        now = timeutils.utcnow()
        frozen_at = None
        if abs((now - datetime.datetime.utcnow()).total_seconds()) > 60:
            # The test froze Nova's clock (notification samples do, at
            # 2012): Nova's services heartbeat at that time, and the
            # service, judging them up or down, must read the same clock.
            frozen_at = now.isoformat()
        self.pid = zygote.fork(['--config-file', self.config_file],
                               os.path.join(self.workdir, 'stdout.log'),
                               frozen_at)

    def running(self):
        if self.pid is None:
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def _log(self):
        text = ''
        for path in (os.path.join(self.workdir, 'stdout.log'),
                     self.log_file):
            if os.path.exists(path):
                with open(path, errors='replace') as f:
                    text += f.read()
        return text

    def wait_ready(self):
        deadline = time.monotonic() + READY_TIMEOUT
        while not self.ready:
            if not self.running():
                raise RuntimeError('scheduler-server exited (%s):\n%s'
                                   % (self.workdir, self._log()[-4000:]))
            if READY_LINE in self._log():
                self.ready = True
                break
            if time.monotonic() > deadline:
                raise RuntimeError('scheduler-server not ready after %ds '
                                   '(%s)' % (READY_TIMEOUT, self.workdir))
            time.sleep(0.05)

    def reload(self):
        if self.running():
            os.kill(self.pid, signal.SIGHUP)

    def stop(self):
        if self.pid is None:
            return
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        # The zygote's kernel-reaped child is gone once killed.
        deadline = time.monotonic() + STOP_TIMEOUT
        while self.running() and time.monotonic() < deadline:
            time.sleep(0.01)
        self.pid = None
        if self in _running:
            _running.remove(self)


def start(conf, transport_url):
    """A started (maybe not yet ready) server for the current test."""
    for stale in list(_running):
        stale.stop()
    return _start(service_config(conf, transport_url), conf.host,
                  transport_url)


def _wanted(running, conf, transport_url):
    options = service_config(conf, transport_url)
    # [DEFAULT] host is the name of the service being started: Nova's
    # tests set it for each service they start, after the scheduler.
    options['DEFAULT']['host'] = running.options['DEFAULT']['host']
    return options


def unchanged(running, conf, transport_url):
    """Whether ``current`` would keep ``running``."""
    return _wanted(running, conf, transport_url) == running.options


def current(running, conf, transport_url):
    """``running``, or a new server if the test changed the config since.

    Nova's tests often set options (``self.flags``) after the scheduler
    started; Nova's scheduler reads them at its next request. The
    service reads its file at start, so it is restarted with the new
    one, as an operator restarts a scheduler whose nova.conf changed.
    """
    options = _wanted(running, conf, transport_url)
    if options == running.options:
        return running
    LOG.debug('The test changed the scheduler options: restarting it')
    running.stop()
    return _start(options, options['DEFAULT']['host'], transport_url)


def _start(options, host, transport_url):
    base = os.path.join(os.environ['SCHEDULER_NF_LOCK_DIR'], '..', 'servers')
    os.makedirs(base, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix='%s-' % host, dir=base)
    log_file = os.path.join(workdir, 'scheduler.log')
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    for group, values in options.items():
        parser[group] = values
    parser['DEFAULT']['log_file'] = log_file
    config_file = os.path.join(workdir, 'scheduler.conf')
    with open(config_file, 'w') as f:
        parser.write(f)
    _purge(transport_url, host)
    server = SchedulerServer(workdir, config_file, log_file, options)
    server.start()
    _running.append(server)
    return server
