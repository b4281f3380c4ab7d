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

"""``scheduler-plan``: a dry run against the running service.

``scheduler-plan --config-file F --flavor SPEC [--image-prop K=V ...]
[--az AZ] [--count N] [--explain]`` asks one worker of the running
``scheduler-server`` (over the bus, with the service's own transport
credentials, through the operators' endpoint ``scheduler.rpc.admin``)
where ``N`` instances would go now, and prints the host of each instance
with its alternates, or the refusal with the operator's detail; with
``--explain``, each host's fate and weights. ``--capacity`` prints how
many more instances fit now, host by host (``--top`` hosts), counted
with the filters, NUMA and PCI included, within ``--max-per-host`` and
``--seconds``. Nothing is claimed: the service runs its cycle with the
claim step writing nothing to Placement.

The flavor and image arguments are read by ``plan_request``. Exit code:
0 placed (or counted), 1 refused, 2 bad arguments, 3 no answer.
"""

import logging as std_logging
import sys

from oslo_config import cfg

import scheduler
from scheduler.cmd import plan_request
from scheduler import conf as scheduler_conf
from scheduler.rpc import plan_wire

CONF = scheduler_conf.CONF
PLACED, REFUSED, BAD_ARGUMENTS, NO_ANSWER = 0, 1, 2, 3
# Seconds the service has to answer, beyond a capacity count's own.
ANSWER_TIMEOUT = 60
PCI_ALIAS = 'pci_passthrough:alias'

cli_opts = [
    cfg.StrOpt('flavor', required=True,
               help='Inline flavor, %s, or a flavor name of '
                    '--flavors-file or, without one, of Nova\'s API '
                    'database ([host_facts_nova_db] api_connection).'
                    % plan_request.EXAMPLE),
    cfg.StrOpt('flavors-file',
               help='YAML of flavors by name (name: inline spec, or a '
                    'mapping of vcpus, ram, disk, ephemeral, swap, '
                    'extra_specs).'),
    cfg.MultiStrOpt('image-prop', default=[],
                    help='An image property KEY=VALUE (repeatable).'),
    cfg.StrOpt('az', help='The availability zone asked for.'),
    cfg.IntOpt('count', default=1, min=1, max=100000,
               help='Instances to plan (a multi-create).'),
    cfg.StrOpt('project-id', default='scheduler-plan',
               help='The project the instances would belong to (tenant '
                    'and isolation request filters read it).'),
    cfg.BoolOpt('explain', default=False,
                help="Print each host's fate (the filter that removed it, "
                     'or its weight and each weigher\'s share).'),
    cfg.BoolOpt('capacity', default=False,
                help='Print how many more instances fit now, host by host.'),
    cfg.IntOpt('top', default=plan_wire.TOP, min=1, max=plan_wire.MAX_TOP,
               help='With --capacity: the hosts listed.'),
    cfg.IntOpt('max-per-host', default=plan_wire.MAX_PER_HOST, min=1,
               max=plan_wire.MAX_MAX_PER_HOST,
               help='With --capacity: stop counting a host there.'),
    cfg.IntOpt('seconds', default=plan_wire.SECONDS, min=1,
               max=plan_wire.MAX_SECONDS,
               help='With --capacity: stop counting after that long.'),
    cfg.IntOpt('limit', default=plan_wire.LIMIT, min=1,
               max=plan_wire.MAX_LIMIT,
               help='With --capacity: the limit of the Placement query.'),
]


def _print(out, text=''):
    out.write(text + '\n')


def _print_refusal(out, refused):
    """The operator's detail, one part a line, after the caller's reason."""
    reason, detail = refused['reason'], refused.get('detail')
    if not detail:
        return
    if detail.startswith(reason):
        detail = detail[len(reason):].lstrip('; ')
    _print(out, 'Detail:')
    for part in _parts(detail):
        _print(out, '  ' + part)


def _parts(detail):
    """``detail`` split at each ``; `` outside parentheses."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(detail):
        depth += {'(': 1, ')': -1}.get(char, 0)
        if depth == 0 and detail.startswith('; ', i):
            parts.append(detail[start:i])
            start = i + 2
    return parts + [detail[start:]]


def print_plan(answer, count, flavor, out):
    """The plan's lines; returns the exit code."""
    refused = answer['refused']
    if refused:
        _print(out, 'No valid host for %d instance(s) of %s: %s'
               % (count, flavor, refused['reason']))
        _print_refusal(out, refused)
    else:
        _print(out, '%d instance(s) of %s would go to (nothing claimed):'
               % (count, flavor))
        for n, choices in enumerate(answer['instances'], 1):
            chosen, alternates = choices[0], choices[1:]
            line = '  instance %d: %s' % (n, _where(chosen))
            if alternates:
                line += '; alternates: %s' % ', '.join(
                    _where(a) for a in alternates)
            _print(out, line)
    for title, lines in answer['explanation']:
        _print(out, title)
        for line in lines:
            _print(out, '  ' + line)
    return REFUSED if refused else PLACED


def _where(host):
    if host['node'] and host['node'] != host['host']:
        return '%s (node %s)' % (host['host'], host['node'])
    return host['host']


def print_capacity(answer, flavor, out):
    """The count's lines; returns the exit code."""
    refused = answer['refused']
    if refused:
        _print(out, 'Capacity for %s: 0 (%s)' % (flavor, refused['reason']))
        _print_refusal(out, refused)
        return PLACED
    bound = {'per-host cap': ' at least (a host reached --max-per-host)',
             'time': ' at least (the count ran out of --seconds)'}.get(
                 answer['stopped'], '')
    _print(out, 'Capacity for %s:%s %d more instance(s) on %d host(s) '
           '(nothing claimed)' % (flavor, bound, answer['total'],
                                  answer['hosts_with_room']))
    hosts = answer['hosts']
    if hosts:
        width = max(len(_where({'host': h, 'node': n}))
                    for h, n, _ in hosts)
        for host, node, instances in hosts:
            _print(out, '  %-*s %6d' % (width, _where(
                {'host': host, 'node': node}), instances))
        if answer['hosts_with_room'] > len(hosts):
            _print(out, '  ... %d more host(s)'
                   % (answer['hosts_with_room'] - len(hosts)))
    cut = (' (the answer may have been cut: raise --limit)'
           if answer['candidates'] >= answer['limit'] else '')
    _print(out, 'Placement offered %d host(s), %d candidate(s) at limit %d'
           '%s; filters: %s; counted in %.2f s'
           % (answer['offered'], answer['candidates'], answer['limit'], cut,
              answer['filtered'], answer['seconds']))
    return PLACED


def _request(conf):
    flavor = plan_request.find_flavor(
        conf.flavor, conf.flavors_file,
        conf.host_facts_nova_db.api_connection)
    props = plan_request.parse_image_props(conf.image_prop)
    count = 1 if conf.capacity else conf.count
    return plan_request.build_spec(flavor, props, conf.az, count,
                                   conf.project_id)


def run(conf, transport, spec, out=sys.stdout):
    """Ask the service about ``spec``, print the answer; the exit code."""
    from scheduler.rpc import admin
    from scheduler.sim import writers
    if PCI_ALIAS in spec.flavor.extra_specs:
        sys.stderr.write('scheduler-plan: %s is not resolved here (Nova\'s '
                         '[pci] alias): the PCI filter sees no device '
                         'request\n' % PCI_ALIAS)
    spec_obj = writers.request_spec_to_primitive(spec)
    flavor = 'flavor %s' % conf.flavor
    if conf.capacity:
        answer = admin.call(
            transport, conf.seconds + ANSWER_TIMEOUT, 'plan_capacity',
            spec_obj=spec_obj, limit=conf.limit,
            max_per_host=conf.max_per_host, seconds=conf.seconds,
            top=conf.top)
        return print_capacity(answer, flavor, out)
    answer = admin.call(transport, ANSWER_TIMEOUT, 'plan_destinations',
                        spec_obj=spec_obj, count=conf.count,
                        explain=conf.explain)
    return print_plan(answer, conf.count, flavor, out)


def main(argv=None, conf=CONF, out=sys.stdout):
    """Parse, ask, print; returns the exit code."""
    scheduler.select_threading_backend()
    import oslo_messaging

    from scheduler.rpc import transport as rpc_transport
    # The answer is printed; the libraries' log lines would only repeat
    # a failure on stderr.
    std_logging.getLogger('scheduler').addHandler(std_logging.NullHandler())
    argv = sys.argv[1:] if argv is None else argv
    try:
        if 'flavor' not in conf:
            conf.register_cli_opts(cli_opts)
        conf(argv, project='scheduler', prog='scheduler-plan')
        spec = _request(conf)
    except (cfg.Error, plan_request.BadArgument) as e:
        sys.stderr.write('scheduler-plan: %s\n' % e)
        return BAD_ARGUMENTS
    except SystemExit as e:
        return e.code or 0
    transport = rpc_transport.get_transport(conf)
    try:
        return run(conf, transport, spec, out)
    except oslo_messaging.MessagingTimeout:
        sys.stderr.write('scheduler-plan: no scheduler-server answered on '
                         'the bus of [DEFAULT] transport_url\n')
        return NO_ANSWER
    except oslo_messaging.RemoteError as e:
        sys.stderr.write('scheduler-plan: the service refused: %s: %s\n'
                         % (e.exc_type, e.value))
        return BAD_ARGUMENTS
    finally:
        transport.cleanup()


if __name__ == '__main__':
    sys.exit(main())
