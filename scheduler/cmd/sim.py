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

"""``scheduler-sim``: what happens if... before production finds out.

``scheduler-sim [run]`` replays a workload over simulated time (a
scenario, or a recorded trace) on a cloud (synthetic, or a snapshot of
yours), once per scheduler configuration, with the real scheduler and a
real Placement in-process, and writes a report comparing them.
``scheduler-sim snapshot`` writes today's cloud from your Placement;
``scheduler-sim boot`` sends a burst of requests and prints where each
instance went.
"""

import argparse
import datetime
import os
import sys
import warnings

from oslo_serialization import jsonutils

SUBCOMMANDS = ('run', 'snapshot', 'boot')


def parse_run_args(argv):
    from scheduler.sim import files

    parser = argparse.ArgumentParser(
        prog='scheduler-sim run', description=(
            'Replay a workload once per configuration and compare them in '
            'a report. With no argument: the shipped scenario on the '
            'default cloud, "spread" against "pack".'))
    source = parser.add_mutually_exclusive_group()
    source.add_argument('--scenario', help='a scenario (YAML); default: '
                        '%s' % files.default_scenario())
    source.add_argument('--trace', help='a recorded trace (CSV or JSON '
                        'lines) instead of a scenario')
    parser.add_argument('--cloud', default=files.default_cloud(),
                        help='the cloud: synthetic host groups, or the '
                             'output of "scheduler-sim snapshot"')
    parser.add_argument('--config', action='append', dest='configs',
                        metavar='FILE', help='a scheduler configuration '
                        'to run the workload under (repeat to compare); '
                        'default: the shipped spread.conf and pack.conf')
    parser.add_argument('--seed', type=int, help="overrides the "
                        "scenario's seed")
    parser.add_argument('--output', help='the run directory (report, '
                        'results, logs); default: ./scheduler-sim-<time>')
    parser.add_argument('--jobs', type=int,
                        default=min(os.cpu_count() or 1, 4),
                        help='configurations run at once')
    parser.add_argument('--debug', action='store_true',
                        help="the service's log on stderr, at DEBUG")
    add_placement_option_argument(parser)
    args = parser.parse_args(argv)
    args.placement_options = placement_options(parser, args)
    if not args.trace and not args.scenario:
        args.scenario = files.default_scenario()
    args.configs = args.configs or files.default_configs()
    for path in [args.cloud, args.scenario or args.trace] + args.configs:
        if not os.path.isfile(path):
            parser.error('no such file: %s' % path)
    return args


def add_placement_option_argument(parser):
    """``--placement-option GROUP.NAME=VALUE``, repeatable."""
    parser.add_argument(
        '--placement-option', action='append', default=[],
        dest='placement_option_texts', metavar='GROUP.NAME=VALUE',
        help="an option of the embedded Placement's own configuration, "
             "for every run (repeatable), e.g. "
             "placement.randomize_allocation_candidates=true: Placement "
             "then shuffles its candidates before it applies the "
             "scheduler's limit, as a deployment may set it. The "
             "scheduler's options go in --config files")


def placement_options(parser, args):
    """``{'GROUP.NAME': 'VALUE'}`` of ``--placement-option``s.

    A malformed text or an option Placement does not have is a usage
    error, at once rather than in every run.
    """
    from scheduler.sim import placement_server

    options = {}
    try:
        for text in args.placement_option_texts:
            name, value = placement_server.parse_option(text)
            options[name] = value
        placement_server.check_options(options)
    except ValueError as e:
        parser.error('--placement-option: %s' % e)
    return options


def _names(configs):
    """A label per configuration: its file name, made unique."""
    names = []
    for path in configs:
        base = os.path.splitext(os.path.basename(path))[0]
        name, n = base, 1
        while name in names:
            n += 1
            name = '%s-%d' % (base, n)
        names.append(name)
    return names


def run(argv):
    args = parse_run_args(argv)
    from scheduler.sim import cloud as sim_cloud
    from scheduler.sim import compare
    from scheduler.sim import replay
    from scheduler.sim import report
    from scheduler.sim import run as sim_run
    from scheduler.sim import workload

    workload_file = args.scenario or args.trace
    try:
        # Read here first: a malformed file is one clear line, at once.
        load = workload.load(workload_file, args.seed)
        replay.check_flavors(load, sim_cloud.load_cloud(args.cloud))
    except (workload.WorkloadError, sim_cloud.CloudError) as e:
        sys.exit('scheduler-sim: %s' % e)
    out = os.path.abspath(args.output or 'scheduler-sim-%s' % (
        datetime.datetime.now().strftime('%Y%m%d-%H%M%S')))
    os.makedirs(out, exist_ok=True)
    names = _names(args.configs)
    print('%s: %d workload events over %.1f simulated hours, seed %d; %s; '
          'logs in %s' % (load.name, len(load.events), load.duration / 3600,
                          load.seed, ' vs '.join(names), out))
    if args.placement_options:
        print('Placement options: %s' % ', '.join(
            '%s=%s' % item for item in sorted(args.placement_options.items())))
    specs = [compare.RunSpec(name=name, config_files=[os.path.abspath(c)],
                             cloud_file=args.cloud,
                             workload_file=workload_file, seed=args.seed,
                             workdir=out, hash_seed=load.seed,
                             debug=args.debug,
                             placement_options=args.placement_options)
             for name, c in zip(names, args.configs)]
    bar = sim_run.Progress(names)
    try:
        runs = compare.run_all(specs, jobs=args.jobs, progress=bar)
    except compare.RunFailed as e:
        bar.close()
        sys.exit('scheduler-sim: %s' % e)
    bar.close()
    for result in runs:
        with open(os.path.join(out, '%s.json' % result.name), 'w') as f:
            jsonutils.dump(result.to_dict(), f)
    path = report.write_html(runs, os.path.join(out, 'report.html'))
    print(report.summary(runs, path))
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    # Eventlet's and other libraries' deprecation warnings are for this
    # project's developers, not for a user running a simulation.
    warnings.filterwarnings('ignore', category=DeprecationWarning)
    command = argv[0] if argv and argv[0] in SUBCOMMANDS else 'run'
    if argv and argv[0] == command:
        argv = argv[1:]
    if command == 'snapshot':
        from scheduler.cmd import sim_snapshot
        return sim_snapshot.main(argv)
    if command == 'boot':
        from scheduler.cmd import sim_boot
        return sim_boot.main(argv)
    return run(argv)


if __name__ == '__main__':
    sys.exit(main())
