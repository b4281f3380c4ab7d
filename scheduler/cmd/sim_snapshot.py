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

"""``scheduler-sim snapshot``: today's Placement as a simulator cloud file.

``scheduler-sim snapshot --config-file scheduler.conf [--output FILE]``
reaches Placement as the service does, with the ``[placement]`` options of
its configuration, reads every resource provider (GET requests only) and
writes them as YAML (``scheduler.sim.snapshot``) to FILE or stdout; give
that file to ``scheduler-sim --cloud``. When ``[host_facts_nova_db]
api_connection`` is set, Nova's host aggregates (with their metadata:
availability zones) and the instances of every host are read too,
read-only, and written as ``aggregates`` and ``instances``; without it
they are not, and an INFO line says so. The header says when and from
which Placement version; the file holds neither the endpoint, nor a
connection URL, nor any credential. Logs go to stderr (or the configured
log file), never stdout.
Exit code: 0 written, 1 failed (one line on stderr).
"""

import argparse
import datetime
import re
import sys
from urllib import parse

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from oslo_config import cfg
from oslo_log import log as logging
import yaml

from scheduler import conf as scheduler_conf
from scheduler.placement import client as placement_client
from scheduler.sim import snapshot
from scheduler.sim import snapshot_nova

LOG = logging.getLogger(__name__)

CONF = scheduler_conf.CONF
PROG = 'scheduler-sim snapshot'
OK, FAILED = 0, 1
# The cause keystoneauth1 wraps in a connection error.
_ERRNO = re.compile(r'\[Errno -?\d+\][^"\')]*')

HEADER = """\
# A snapshot of Placement (microversions up to %(version)s), taken at
# %(when)s by scheduler-sim snapshot: every resource
# provider with its inventory, traits, aggregates and usages.
# Add flavors, then run scheduler-sim --cloud THIS_FILE.
"""
NOVA_HEADER = """\
# With Nova's host aggregates and the instances of its hosts, read from
# its databases.
"""


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog=PROG, description=__doc__.split('\n\n')[0])
    parser.add_argument('--config-file', action='append', required=True,
                        help="the service's scheduler.conf (repeatable); "
                             'its [placement] options reach Placement')
    parser.add_argument('--output', metavar='FILE',
                        help='write the YAML there (default: stdout)')
    return parser.parse_args(argv)


def placement_adapter(conf):
    """The keystoneauth1 Adapter of ``[placement]``, as the service's."""
    group = placement_client.GROUP
    session = ks_loading.load_session_from_conf_options(conf, group)
    auth = ks_loading.load_auth_from_conf_options(conf, group)
    return ks_loading.load_adapter_from_conf_options(
        conf, group, session=session, auth=auth,
        client_name=placement_client.CLIENT_NAME)


def _one_line(text):
    return ' '.join(str(text).split())


def describe_failure(error):
    """One line saying why Placement could not be read."""
    if isinstance(error, ks_exc.HttpError):
        reason = getattr(error.response, 'reason', None) or error.message
        hint = (': check the [placement] auth options'
                if error.http_status in (401, 403) else '')
        return 'Placement answered %s %s to %s %s%s' % (
            error.http_status, _one_line(reason), error.method,
            parse.urlsplit(error.url or '').path, hint)
    if isinstance(error, ks_exc.ConnectionError):
        cause = _ERRNO.search(str(error))
        return 'Placement is unreachable (%s)' % (
            cause.group(0) if cause else type(error).__name__)
    return 'cannot reach Placement with the [placement] options: %s' % (
        _one_line(error))


def write_snapshot(data, version, stream):
    """Write the header and ``data`` as YAML to ``stream``."""
    when = datetime.datetime.now(datetime.timezone.utc)
    stream.write(HEADER % {'version': version,
                           'when': when.strftime('%Y-%m-%dT%H:%M:%SZ')})
    if 'aggregates' in data:
        stream.write(NOVA_HEADER)
    yaml.safe_dump(data, stream, default_flow_style=False, sort_keys=False)


def _setup(args, conf):
    if 'use_stderr' not in conf:
        # Once per ConfigOpts: a parsed one refuses new CLI options.
        logging.register_options(conf)
    conf_args = []
    for path in args.config_file:
        conf_args += ['--config-file', path]
    conf(conf_args, project='scheduler', prog=PROG, default_config_files=[])
    # oslo.log writes to stdout when no log file is configured, and
    # stdout is the snapshot.
    conf.set_override('use_stderr', True)
    logging.setup(conf, 'scheduler-sim')


def take_nova(conf):
    """Nova's aggregates and instances, or {} without a nova_db to read."""
    if not snapshot_nova.nova_db_configured(conf):
        LOG.info("Nova's aggregate metadata, availability zones and "
                 "instances were not read: [host_facts_nova_db] "
                 "api_connection is not set")
        return {}
    return snapshot_nova.take_nova(conf)


def take(conf):
    """(Placement's version, the snapshot); raises keystoneauth1 errors.

    With a nova_db configured, the snapshot has Nova's ``aggregates`` and
    ``instances`` too (SnapshotError when they cannot be read).
    """
    adapter = placement_adapter(conf)
    version = snapshot.placement_version(adapter)
    data = snapshot.take(adapter)
    flavors = data.pop('flavors')
    data.update(take_nova(conf))
    data['flavors'] = flavors
    return version, data


def main(argv=None, conf=CONF):
    """Take the snapshot and write it; returns the exit code."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        _setup(args, conf)
        version, data = take(conf)
    except (cfg.Error, snapshot.SnapshotError) as e:
        return _fail(_one_line(e))
    except ks_exc.ClientException as e:
        return _fail(describe_failure(e))
    try:
        if args.output:
            with open(args.output, 'w') as f:
                write_snapshot(data, version, f)
        else:
            write_snapshot(data, version, sys.stdout)
    except OSError as e:
        return _fail('cannot write %s: %s' % (args.output, e.strerror))
    LOG.info('Wrote %d resource providers of Placement %s%s',
             len(data['providers']), version, _nova_summary(data))
    return OK


def _nova_summary(data):
    if 'aggregates' not in data:
        return ''
    return (", %d aggregates and %d instances of Nova's databases"
            % (len(data['aggregates']),
               sum(len(v) for v in data['instances'].values())))


def _fail(message):
    sys.stderr.write('%s: %s\n' % (PROG, message))
    return FAILED


if __name__ == '__main__':
    sys.exit(main())
