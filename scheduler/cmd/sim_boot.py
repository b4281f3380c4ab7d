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

"""``scheduler-sim boot``: a burst of requests, where each instance went.

Starts a real Placement on sqlite, fills it with the synthetic cloud of
``--cloud`` (``etc/scheduler/sim-cloud.yaml`` by default), runs the RPC
server on oslo.messaging's in-process transport and sends ``--requests``
select_destinations calls through the client a conductor would use, then
prints where every instance went, why any request failed, and how long the
scheduler took. Nothing leaves and there is no time: for a workload over
time, compared between configurations, see ``scheduler-sim run``.
"""

import argparse
import sys
import tempfile
import threading

from scheduler.cmd import sim as sim_cmd
from scheduler import conf as scheduler_conf
from scheduler.sim import cloud as sim_cloud
from scheduler.sim import files as sim_files
from scheduler.sim import run as sim_run

CONF = scheduler_conf.CONF


def default_cloud_file():
    return sim_files.default_cloud()


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog='scheduler-sim boot', description=__doc__.split('\n\n')[0])
    parser.add_argument('--cloud', default=default_cloud_file(),
                        help='YAML file describing hosts and flavors')
    parser.add_argument('--requests', type=int, default=100,
                        help='number of select_destinations calls')
    parser.add_argument('--instances-per-request', type=int, default=1,
                        help='num_instances of each call (multi-create)')
    parser.add_argument('--flavor', action='append', dest='flavors',
                        help='flavor to boot (repeatable); default: every '
                             'flavor of the cloud file in turn')
    parser.add_argument('--config-file', action='append', default=[],
                        help='scheduler.conf for filters, weighers and '
                             'multipliers ([placement] is set by the '
                             'simulation)')
    parser.add_argument('--debug', action='store_true',
                        help='log the service at DEBUG on stderr')
    parser.add_argument('--explain', action='store_true',
                        help="print every host's fate for every instance: "
                             'the filter that removed it, or its weight')
    sim_cmd.add_placement_option_argument(parser)
    args = parser.parse_args(argv)
    args.placement_options = sim_cmd.placement_options(parser, args)
    if args.requests < 1 or args.instances_per_request < 1:
        parser.error('--requests and --instances-per-request must be >= 1')
    return args


def explanation_printer(stream=None):
    """A ``scheduler.filters.explain`` listener printing to ``stream``."""
    lock = threading.Lock()

    def listener(title, lines):
        out = stream or sys.stdout
        with lock:
            out.write('%s\n' % title)
            for line in lines:
                out.write('  %s\n' % line)
    return listener


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    sim_run.configure(CONF, args.config_file, args.debug)
    try:
        cloud = sim_cloud.load_cloud(args.cloud)
    except sim_cloud.CloudError as e:
        sys.exit('scheduler-sim: %s' % e)
    flavors = args.flavors or sorted(cloud.flavors)
    unknown = [f for f in flavors if f not in cloud.flavors]
    if unknown or not flavors:
        sys.exit('scheduler-sim: unknown flavor(s) %s; the cloud has: %s'
                 % (', '.join(unknown), ', '.join(sorted(cloud.flavors))))
    with tempfile.TemporaryDirectory(prefix='scheduler-sim-') as workdir:
        sim = sim_run.Simulation(
            CONF, cloud, workdir, placement_options=args.placement_options)
        print('Placement on sqlite, %d hosts from %s; %d requests of %d '
              'instance(s) over fake://' % (
                  len(cloud.hosts), args.cloud, args.requests,
                  args.instances_per_request))
        try:
            sim.start()
            if args.explain:
                # The filter_scheduler driver's explanations.
                sim.manager.driver.explainer.add_listener(
                    explanation_printer())
            outcomes = sim_run.run(sim, flavors, args.requests,
                                   args.instances_per_request)
            sim_run.report(outcomes, sim.usages(), cloud)
        finally:
            sim.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
