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

"""A real Placement service, in this process, for tests and the simulator.

``PlacementServer(workdir)`` runs PyPI ``openstack-placement`` on a sqlite
database in ``workdir``, served over HTTP on 127.0.0.1 by a threaded WSGI
server, with ``auth_strategy = noauth2`` (send ``X-Auth-Token: admin``).
``stop()`` closes the socket (clients then see a refused connection, as in
an outage) and ``start()`` serves the same database on the same port again.

Placement keeps its database engine in one process-wide transaction
context (``placement.db_api.placement_context_manager``), and
``db_api.configure`` may run only once per process. Instead of configuring
that global, each server owns an enginefacade context of its own, and
requests are served one at a time per process, each with the owning
server's context patched into Placement's global one. So several servers
(each its own database) may run in one process; requests are serialised,
which also keeps sqlite free of write-lock errors.

Placement's options live in a private ConfigOpts per server. Libraries
still touch the global ``cfg.CONF``: importing Placement registers
keystonemiddleware's ``[keystone_authtoken]`` (and a few library groups),
and oslo.db registers ``[database]`` when an engine starts. No Placement
group (``[api]``, ``[placement_database]``...) is registered there.

``options`` sets any other Placement option of that private ConfigOpts,
e.g. ``{'placement.randomize_allocation_candidates': 'true'}``
(``scheduler-sim run --placement-option``); ``parse_option`` reads the
``GROUP.NAME=VALUE`` text and ``check_options`` refuses a name Placement
does not have.
"""

import os
import socketserver
import threading
from wsgiref import simple_server

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg
from oslo_db.sqlalchemy import enginefacade
from oslo_log import log as logging
from placement import conf as placement_conf
from placement.db.sqlalchemy import migration
from placement import db_api
from placement import deploy
from placement.objects import resource_class
from placement.objects import trait

LOG = logging.getLogger(__name__)

# noauth2's admin token of the sqlite Placement this module serves on
# 127.0.0.1 for tests and the simulator; not a credential.
TOKEN = 'admin'  # nosec B105
HOST = '127.0.0.1'
DB_FILE = 'placement.sqlite'

# Serialises every request (and database set-up) of every PlacementServer
# of this process: Placement's database context is a process-wide global.
_DB_LOCK = threading.RLock()


def placement_conf_overrides(endpoint):
    """``[placement]`` values that reach a PlacementServer at ``endpoint``.

    keystoneauth1's ``admin_token`` plugin sends the token as-is (noauth2
    wants ``admin``); the adapter's ``endpoint_override`` skips the service
    catalog. The plugin's own ``endpoint`` option works as well; the
    override is used because it is an adapter option that is registered
    before any plugin is loaded.
    """
    return {'auth_type': 'admin_token',
            'endpoint_override': endpoint,
            'token': TOKEN}


def apply_placement_conf(conf, endpoint, group='placement'):
    """Set ``placement_conf_overrides(endpoint)`` on ``conf``.

    Registers the ``admin_token`` plugin's options (``token``,
    ``endpoint``) in ``group`` first, as keystoneauth1 would when it loads
    the plugin, so that they can be overridden.
    """
    conf.register_opts(
        ks_loading.get_auth_plugin_conf_options('admin_token'), group=group)
    for name, value in placement_conf_overrides(endpoint).items():
        conf.set_override(name, value, group=group)


class UnknownOption(ValueError):
    """A Placement option named ``GROUP.NAME`` that Placement lacks."""


def parse_option(text):
    """``('GROUP.NAME', 'VALUE')`` of ``GROUP.NAME=VALUE``.

    :raises: ValueError, naming the expected form.
    """
    name, sep, value = text.partition('=')
    group, dot, opt = name.strip().partition('.')
    if not sep or not dot or not group or not opt:
        raise ValueError('%r is not GROUP.NAME=VALUE (e.g. '
                         'placement.randomize_allocation_candidates=true)'
                         % text)
    return '%s.%s' % (group, opt), value.strip()


def check_options(options):
    """Raise UnknownOption for a name of ``options`` Placement lacks."""
    probe = cfg.ConfigOpts()
    placement_conf.register_opts(probe)
    for name in options:
        group, _, opt = name.partition('.')
        if group not in _placement_groups() or opt not in probe[group]:
            raise UnknownOption('Placement has no option %s' % name)


def _use_context(context):
    """Point Placement's global database context at ``context``.

    Done for every request (it swaps one attribute), so that code patching
    the same global in between (placement's own fixtures) cannot leave us
    on its database.
    """
    db_api.placement_context_manager.patch_factory(context)


def _placement_groups():
    probe = cfg.ConfigOpts()
    placement_conf.register_opts(probe)
    return sorted(name for name in probe
                  if isinstance(probe[name], cfg.ConfigOpts.GroupAttr))


class _ThreadingWSGIServer(socketserver.ThreadingMixIn,
                           simple_server.WSGIServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True


class _QuietHandler(simple_server.WSGIRequestHandler):
    def log_message(self, format, *args):
        LOG.debug('placement %s: ' + format, self.address_string(), *args)


class PlacementServer(object):
    """Placement on sqlite in ``workdir``, served on 127.0.0.1.

    :param workdir: directory of the database file; it must exist.
    :param port: port to listen on; 0 (the default) picks a free one at
        the first ``start()``, which later starts reuse.
    :param quiet: lower Placement's own loggers (it logs every request at
        INFO) to WARNING.
    :param durable: False: sqlite does not wait for the disk at each
        commit (``sqlite_synchronous``), for a database thrown away at the
        end (the simulator's); a write then costs a few milliseconds less.
    """

    token = TOKEN

    def __init__(self, workdir, port=0, quiet=True, durable=True,
                 options=None):
        self.workdir = workdir
        self.durable = durable
        self.options = dict(options or {})
        self.db_path = os.path.join(workdir, DB_FILE)
        self.port = port
        self.quiet = quiet
        self._conf = None
        self._context = None
        self._app = None
        self._httpd = None
        self._thread = None

    @property
    def endpoint(self):
        if not self.port:
            raise RuntimeError('PlacementServer was never started')
        return 'http://%s:%d' % (HOST, self.port)

    @property
    def running(self):
        return self._httpd is not None

    def _build_conf(self):
        conf = cfg.ConfigOpts()
        # ConfigOpts.register_group() keeps a shallow copy of a module-level
        # OptGroup, sharing its options and overrides with every other
        # ConfigOpts that registers it: give this one groups of its own.
        for name in _placement_groups():
            conf.register_group(cfg.OptGroup(name))
        placement_conf.register_opts(conf)
        conf.set_override('connection', 'sqlite:///%s' % self.db_path,
                          group='placement_database')
        conf.set_override('sqlite_synchronous', self.durable,
                          group='placement_database')
        conf.set_override('auth_strategy', 'noauth2', group='api')
        for name, value in self.options.items():
            group, _, opt = name.partition('.')
            if group not in conf or opt not in conf[group]:
                raise UnknownOption('Placement has no option %s' % name)
            # The option's type reads the text, as from a config file.
            conf.set_override(opt, value, group=group)
        conf([], project='placement', default_config_files=[],
             default_config_dirs=[])
        return conf

    def _build_context(self, conf):
        # What placement.db_api.configure() gives the global context.
        db_conf = dict(conf.placement_database.items())
        db_conf.pop('sync_on_startup', None)
        context = enginefacade.transaction_context()
        context.configure(**db_conf)
        return context

    def _load(self):
        """Create or upgrade the schema and build the WSGI application."""
        self._conf = self._build_conf()
        self._context = self._build_context(self._conf)
        with _DB_LOCK:
            _use_context(self._context)
            # What ``placement-manage db sync`` does.
            migration.upgrade('head')
            # Standard traits and resource classes are synced once per
            # process; this database may not have them yet.
            trait._TRAITS_SYNCED = False
            resource_class._RESOURCE_CLASSES_SYNCED = False
            self._app = deploy.loadapp(self._conf)

    def _serve(self, environ, start_response):
        with _DB_LOCK:
            _use_context(self._context)
            result = self._app(environ, start_response)
            try:
                return [b''.join(result)]
            finally:
                if hasattr(result, 'close'):
                    result.close()

    def start(self):
        """Serve the database; returns the endpoint."""
        if self.running:
            return self.endpoint
        if self.quiet:
            logging.getLogger('placement').logger.setLevel(logging.WARNING)
        if self._app is None:
            self._load()
        self._httpd = simple_server.make_server(
            HOST, self.port, self._serve,
            server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={'poll_interval': 0.05},
            name='placement-%d' % self.port, daemon=True)
        self._thread.start()
        LOG.info('Placement serving %s on %s', self.db_path, self.endpoint)
        return self.endpoint

    def stop(self):
        """Stop serving: new connections are refused until ``start()``."""
        if not self.running:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()
        self._httpd = None
        self._thread = None
        LOG.info('Placement on %s stopped', self.endpoint)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
