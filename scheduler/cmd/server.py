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

"""``scheduler-server --config-file F``: the RPC service, in N workers.

Start-up, in the parent process, before any worker is forked:

1. parse ``cfg.CONF`` (project ``scheduler``) and set up oslo.log;
2. read every option of this service, so a bad value stops it here with the
   option's name;
3. check ``[DEFAULT] transport_url`` names a usable driver;
4. build one ``SchedulerManager``, which loads the configured driver,
   filters and weighers: a plugin that does not load stops the service
   (``PluginLoadError``, with its name) with a non-zero exit code. A
   Placement that cannot be reached is not checked here and does not stop
   the service: each request says so in its NoValidHost until it is back;
5. check ``[placement]``: an auth plugin that does not load, or
   credentials Placement refuses, stop the service; Placement unreachable
   is one WARNING naming the endpoint (``check_placement``);
6. log the option values at DEBUG (oslo.config masks the secret ones);
7. with ``[metrics_exporter] listen`` set, start the Prometheus exporter
   (``scheduler.observe.exporter``): a private directory the workers
   write their metrics to, and the HTTP endpoint that sums them. An
   address that cannot be bound stops the service naming the option.

Then oslo.service's launcher (threading backend, cotyledon) runs
``[scheduler] workers`` processes (default: the number of CPUs). Each
builds its own manager and RPC server in ``start()``. SIGTERM stops a
worker gracefully: the server stops taking messages, then waits for the
calls in flight to finish. SIGHUP re-reads the mutable options.
"""

import gc
import os
import sys
import threading

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging
from oslo_service import service

import scheduler
from scheduler import conf as scheduler_conf
from scheduler.conf import opts as scheduler_opts
from scheduler import exception
from scheduler.observe import exporter as metrics_exporter
from scheduler.observe import publisher as metrics_publisher
from scheduler.placement import client as placement_client
from scheduler.rpc import notifications
from scheduler.rpc import server as rpc_server
from scheduler.rpc import transport as rpc_transport

LOG = logging.getLogger(__name__)
PROJECT = 'scheduler'
CONF = scheduler_conf.CONF


def default_manager_factory(conf):
    """The real ``SchedulerManager`` (tests pass a factory of their own)."""
    # Imported on use: the manager pulls in the whole pipeline.
    from scheduler import manager
    return manager.SchedulerManager(conf)


def default_workers():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


class StartupError(Exception):
    """The service cannot start; the message says why."""


class SchedulerService(service.ServiceBase):
    """One worker process: a manager and its RPC server.

    Both are built in ``start()``, after the fork, so no connection or
    thread is shared between processes.
    """

    def __init__(self, conf, manager_factory=default_manager_factory,
                 transport_factory=rpc_transport.get_transport):
        self.conf = conf
        self.manager_factory = manager_factory
        self.transport_factory = transport_factory
        self.server = None
        self.manager = None
        self.notifier = None
        self.metrics = None
        self._stopped = threading.Event()

    def start(self):
        self._stopped.clear()
        manager = self.manager = self.manager_factory(self.conf)
        # The host-facts sources' threads and connections are per worker.
        if hasattr(manager, 'start'):
            manager.start()
        # Writes this worker's metrics when [metrics_exporter] listen is
        # set.
        self.metrics = metrics_publisher.start(self.conf, manager)
        transport = self.transport_factory(self.conf)
        self.notifier = notifications.SelectDestinationsNotifier(self.conf)
        self.server = rpc_server.build_rpc_server(
            self.conf, manager, transport=transport, notifier=self.notifier)
        self.server.start()
        # What start-up built (modules, plugins, options, the host facts
        # of a first read) lives as long as the worker: out of the
        # collector's sight, a full collection no longer walks it in the
        # middle of a request (tools/bench_host_facts.py: 43 ms for the
        # facts of 10,000 hosts, nothing once frozen).
        gc.freeze()
        threshold = self.conf.scheduler.gc_threshold
        if threshold:
            gc.set_threshold(threshold, *gc.get_threshold()[1:])
        LOG.info('Scheduler worker %(pid)d serving topic %(topic)s as '
                 'server %(host)s, API %(version)s',
                 {'pid': os.getpid(), 'topic': rpc_transport.TOPIC,
                  'host': self.conf.host,
                  'version': rpc_transport.RPC_API_VERSION})

    def stop(self, graceful=True):
        """Stop taking messages, then let the calls in flight finish."""
        server, self.server = self.server, None
        if server is not None:
            server.stop()
            server.wait()
            server.transport.cleanup()
            LOG.info('Scheduler worker %d stopped', os.getpid())
        notifier, self.notifier = self.notifier, None
        if notifier is not None:
            notifier.cleanup()
        publisher, self.metrics = self.metrics, None
        if publisher is not None:
            publisher.stop()
        manager, self.manager = self.manager, None
        if hasattr(manager, 'stop'):
            manager.stop()
        self._stopped.set()

    def wait(self):
        self._stopped.wait()

    def reset(self):
        # SIGHUP: oslo.config has already re-read the mutable options.
        if hasattr(self.manager, 'reset'):
            self.manager.reset()


def check_options(conf):
    """Read every option of this service: a bad value names itself."""
    for group, opts in scheduler_opts.list_opts():
        group_name = getattr(group, 'name', group)
        values = conf if group_name == 'DEFAULT' else conf[group_name]
        for opt in opts:
            try:
                getattr(values, opt.dest)
            except cfg.NoSuchOptError:
                # An auth plugin's option, registered once it is loaded.
                continue
            except (ValueError, cfg.Error) as e:
                raise StartupError('invalid value of [%s] %s: %s'
                                   % (group_name, opt.dest, e))


def check_transport(conf):
    """``[DEFAULT] transport_url`` must name a usable driver."""
    try:
        rpc_transport.get_transport(conf).cleanup()
    except oslo_messaging.MessagingException as e:
        # The message may quote the URL and its password: name only the
        # kind of failure.
        raise StartupError('[DEFAULT] transport_url is not usable (%s)'
                           % type(e).__name__)


def check_plugins(conf, manager_factory):
    try:
        manager_factory(conf)
    except exception.PluginLoadError as e:
        raise StartupError('a configured plugin does not load: %s'
                           % e.reason)


def check_placement(conf):
    """``[placement]`` must load its auth plugin and be accepted.

    Placement refusing the credentials stops the service; Placement merely
    unreachable (down, timing out, failing) does not: one WARNING names
    the endpoint, and each request says so in its NoValidHost until
    Placement is back.
    """
    auth_type = conf.placement.auth_type
    try:
        ks_loading.load_auth_from_conf_options(conf, 'placement')
    except (ks_exc.ClientException, cfg.Error) as e:
        raise StartupError('[placement] auth_type %s cannot be used: %s'
                           % (auth_type, e))
    client = placement_client.PlacementClient(conf)
    try:
        # Placement serves its root without authentication; this needs it.
        client.get('/resource_classes', '1.2', log_failure=False)
    except exception.PlacementQueryRejected as e:
        raise StartupError('Placement refused the [placement] credentials '
                           '(auth_type %s): %s' % (auth_type, e.reason))
    except exception.PlacementError as e:
        LOG.warning('Placement at %(endpoint)s is %(kind)s at start; '
                    'starting anyway, and answering NoValidHost with the '
                    'reason until it is back: %(reason)s',
                    {'endpoint': client.endpoint, 'kind': e.kind,
                     'reason': e.reason})


def prepare(conf, manager_factory):
    """Run the parent's start-up checks; StartupError names a failure."""
    check_options(conf)
    check_transport(conf)
    check_plugins(conf, manager_factory)
    check_placement(conf)


def parse_args(argv, conf=CONF):
    logging.register_options(conf)
    conf(argv, project=PROJECT, prog='scheduler-server')


def main(argv=None, manager_factory=None, launch=service.launch):
    """Run the service; returns the process exit code."""
    scheduler.select_threading_backend()
    argv = sys.argv[1:] if argv is None else argv
    manager_factory = manager_factory or default_manager_factory
    try:
        parse_args(argv)
    except cfg.Error as e:
        sys.stderr.write('scheduler-server: %s\n' % e)
        return 2
    logging.setup(CONF, PROJECT)
    try:
        prepare(CONF, manager_factory)
        failure = None
    except StartupError as e:
        failure = str(e)
    if failure:
        LOG.critical('scheduler-server cannot start: %s', failure)
        sys.stderr.write('scheduler-server cannot start: %s\n' % failure)
        return 1
    CONF.log_opt_values(LOG, logging.DEBUG)
    # Before any worker is forked: they inherit its directory.
    exporter = metrics_exporter.Exporter(CONF)
    try:
        exporter.start()
    except metrics_exporter.ExporterError as e:
        LOG.critical('scheduler-server cannot start: %s', e)
        sys.stderr.write('scheduler-server cannot start: %s\n' % e)
        return 1
    try:
        workers = CONF.scheduler.workers or default_workers()
        LOG.info('Starting %d scheduler worker(s)', workers)
        launcher = launch(CONF, SchedulerService(CONF, manager_factory),
                          workers=workers, restart_method='mutate')
        return launcher.wait() or 0
    finally:
        exporter.stop()


if __name__ == '__main__':
    sys.exit(main())
