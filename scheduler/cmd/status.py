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

"""``scheduler-status upgrade check``: can this service work here?

The checks, in the order they run, each a function below registered with
``@check('Name')``: the options read, Placement is reachable, accepts our
credentials and speaks the microversions we need, the message bus accepts
a connection, and every configured plugin loads. Adding a check is adding
one such function.

Each check returns an ``oslo_upgradecheck.upgradecheck.Result``. The exit
code is oslo.upgradecheck's: the worst result (0 success, 1 warning,
2 failure), or 255 when the command itself fails (for example, a config
file that cannot be parsed). No check prints a credential: URLs lose
their user info and the transport URL its password.
"""

import functools
import logging as std_logging
import sys

from oslo_config import cfg
from oslo_upgradecheck import upgradecheck

import scheduler
from scheduler import conf as scheduler_conf
from scheduler import exception
from scheduler.placement import client as placement_client
from scheduler.placement import versions

PROJECT = 'scheduler'
CONF = scheduler_conf.CONF
SUCCESS = upgradecheck.Code.SUCCESS
WARNING = upgradecheck.Code.WARNING
FAILURE = upgradecheck.Code.FAILURE
# What the command returns when it cannot run its checks at all.
ERROR_EXIT = 255
BROKER_TIMEOUT = 5
# How long a running service has to answer, and how many host names of
# its report are printed.
SERVICE_TIMEOUT = 5
HEARD_NAMES = 10

_CHECKS = []


def check(name):
    """Register the decorated ``func(conf) -> Result`` as check ``name``."""
    def register(func):
        _CHECKS.append((name, func))
        return func
    return register


def result(code, details=None):
    return upgradecheck.Result(code, details)


@check('Configuration options')
def check_options(conf):
    from scheduler.cmd import server
    try:
        server.check_options(conf)
    except server.StartupError as e:
        return result(FAILURE, str(e))
    return result(SUCCESS)


def _placement_client(conf):
    return placement_client.PlacementClient(conf)


@check('Placement API reachable')
def check_placement_reachable(conf):
    client = _placement_client(conf)
    try:
        client.max_version()
    except exception.PlacementError as e:
        return result(FAILURE, 'Placement %s: %s' % (e.kind, e.reason))
    return result(SUCCESS, 'Placement at %s answers' % client.endpoint)


@check('Placement API authentication')
def check_placement_auth(conf):
    client = _placement_client(conf)
    try:
        # Placement serves its root without authentication; this needs it.
        client.get('/resource_classes', '1.2')
    except exception.PlacementQueryRejected as e:
        return result(FAILURE, 'Placement refused the credentials of '
                      '[placement] auth_type %s: %s'
                      % (conf.placement.auth_type, e.reason))
    except exception.PlacementError as e:
        return result(FAILURE, 'Placement %s: %s' % (e.kind, e.reason))
    return result(SUCCESS)


@check('Placement API microversion')
def check_placement_version(conf):
    client = _placement_client(conf)
    try:
        found = client.max_version()
    except exception.PlacementError as e:
        return result(FAILURE, 'Placement %s: %s' % (e.kind, e.reason))
    found_str = versions.to_str(found)
    if found < versions.parse(versions.ALLOCATION_CANDIDATES):
        return result(FAILURE, 'Placement supports microversions up to %s; '
                      'this scheduler needs %s'
                      % (found_str, versions.ALLOCATION_CANDIDATES))
    best = versions.needed(*versions.FEATURES)
    if found < versions.parse(best):
        missing = sorted(name for name, v in versions.FEATURES.items()
                         if found < versions.parse(v))
        return result(WARNING, 'Placement supports microversions up to '
                      '%s; requests using %s are refused until it offers %s'
                      % (found_str, ', '.join(missing), best))
    return result(SUCCESS, 'Placement supports microversion %s' % found_str)


@check('Message bus')
def check_message_bus(conf):
    import kombu
    import oslo_messaging

    from scheduler.cmd import server
    try:
        # Registers oslo.messaging's options and loads the driver.
        server.check_transport(conf)
        url = oslo_messaging.TransportURL.parse(conf, conf.transport_url)
    except (server.StartupError, oslo_messaging.InvalidTransportURL) as e:
        return result(FAILURE, str(e) if isinstance(
            e, server.StartupError) else '[DEFAULT] transport_url is not a '
            'valid transport URL (%s)' % type(e).__name__)
    driver, hosts, vhost = url.transport, url.hosts, url.virtual_host
    if driver != 'rabbit':
        return result(WARNING, 'cannot check a %s:// message bus; only '
                      'rabbit:// is checked' % driver)
    failures = []
    for host in hosts or []:
        where = '%s:%s' % (host.hostname, host.port or 5672)
        connection = kombu.Connection(
            hostname=host.hostname, port=host.port or 5672,
            userid=host.username, password=host.password,
            virtual_host=vhost or '/', connect_timeout=BROKER_TIMEOUT)
        try:
            connection.connect()
            return result(SUCCESS, 'RabbitMQ at %s accepts user %s'
                          % (where, host.username))
        except Exception as e:  # noqa: B902 (any failure is the answer)
            # The exception text may quote the URL: name its kind only.
            failures.append('%s: %s' % (where, type(e).__name__))
        finally:
            connection.release()
    if not failures:
        return result(FAILURE, '[DEFAULT] transport_url names no host')
    return result(FAILURE, 'no RabbitMQ host of [DEFAULT] transport_url '
                  'accepts a connection (%s)' % '; '.join(failures))


@check('Scheduler plugins')
def check_plugins(conf):
    from scheduler.cmd import server
    try:
        server.check_plugins(conf, server.default_manager_factory)
    except server.StartupError as e:
        return result(FAILURE, str(e))
    return result(SUCCESS, 'driver %s, filters %s, weighers %s' % (
        conf.scheduler.driver,
        ', '.join(conf.filter_scheduler.enabled_filters),
        ', '.join(conf.filter_scheduler.weight_classes)))


@check('Host facts sources')
def check_host_facts(conf):
    from scheduler.host_facts import base
    from scheduler.host_facts import health
    try:
        state, lines, warnings = health.check(conf)
    except exception.PluginLoadError as e:
        return result(FAILURE, e.reason)
    code = {base.OK: SUCCESS, base.STALE: WARNING}.get(state, FAILURE)
    if warnings and code == SUCCESS:
        code = WARNING
    return result(code, '; '.join(lines + warnings))


def describe_heard(report):
    """One line of what a running worker's casts told it since start."""
    heard = report['rpc']
    aggregates = ('no update_aggregates cast' if heard['aggregates'] is None
                  else '%d aggregate(s) from casts' % heard['aggregates'])
    partial = heard['partial']
    text = ('worker %s of %s, since start: %s; whole instance lists from '
            '%d host(s), partial from %d' % (
                report['pid'], report['host'], aggregates,
                len(heard['complete']), len(partial)))
    if partial:
        text += ' (%s%s)' % (', '.join(partial[:HEARD_NAMES]),
                             ', ...' if len(partial) > HEARD_NAMES else '')
    if report['aggregates_unknown']:
        text += '; aggregates unknown: ' + report['aggregates_unknown']
    return text


@check('Running service')
def check_running_service(conf):
    import oslo_messaging

    from scheduler.rpc import admin
    from scheduler.rpc import transport as rpc_transport
    try:
        transport = rpc_transport.get_transport(conf)
    except oslo_messaging.MessagingException as e:
        return result(FAILURE, '[DEFAULT] transport_url is not usable (%s)'
                      % type(e).__name__)
    try:
        report = admin.host_facts_report(transport, SERVICE_TIMEOUT)
    except oslo_messaging.MessagingException as e:
        # Not running yet is not an error for an upgrade check (and an
        # unreachable bus is the message bus check's failure).
        return result(SUCCESS, 'no scheduler-server answered (%s in %d s): '
                      'what its workers heard since start is not known '
                      'here' % (type(e).__name__, SERVICE_TIMEOUT))
    finally:
        transport.cleanup()
    return result(SUCCESS, describe_heard(report))


class Checks(upgradecheck.UpgradeCommands):
    """The checks registered with ``@check``, run in their order."""

    display_title = 'Scheduler upgrade check results'

    def __init__(self, conf=CONF):
        self.conf = conf

    @property
    def _upgrade_checks(self):
        return tuple((name, functools.partial(_guarded, func))
                     for name, func in _CHECKS)


def _guarded(func, command):
    """Run one check; a check that raises is a failure naming the error."""
    try:
        return func(command.conf)
    except Exception as e:  # noqa: B902 (reported, not raised)
        return result(FAILURE, 'the check failed unexpectedly: %s'
                      % type(e).__name__)


def main(argv=None, conf=CONF):
    """Run ``upgrade check``; returns the exit code."""
    scheduler.select_threading_backend()
    # The table says what failed; the service's own log lines would only
    # repeat it on stderr.
    std_logging.getLogger(PROJECT).addHandler(std_logging.NullHandler())
    argv = sys.argv[1:] if argv is None else argv
    try:
        if 'command' not in conf:
            upgradecheck.register_cli_options(conf, Checks(conf))
        conf(argv, project=PROJECT, prog='scheduler-status')
    except (cfg.Error, SystemExit) as e:
        if isinstance(e, SystemExit) and not e.code:
            return 0
        sys.stderr.write('scheduler-status: %s\n' % e)
        return ERROR_EXIT
    upgradecheck.CONF = conf
    return upgradecheck.run(conf)


if __name__ == '__main__':
    sys.exit(main())
