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

"""The embedded simulation: a whole scheduler in one process.

A real Placement (on sqlite) holds a synthetic cloud; the RPC server runs on
oslo.messaging's in-process ``fake://`` transport; requests go through
``SchedulerClient``, the same call a conductor makes. Two latencies are
kept apart: the scheduler's own work (the manager's select_destinations,
Placement calls included) and the RPC round trip, which on ``fake://`` is
dominated by the driver's 50 ms polling and says nothing about the
scheduler.
"""

import collections
import dataclasses
import sys
import threading
import time
import uuid

from oslo_context import context as oslo_context
from oslo_log import log as logging

from scheduler import exception
from scheduler import manager as scheduler_manager
from scheduler.objects import request_spec
from scheduler.rpc import server as rpc_server
from scheduler.rpc import transport as rpc_transport
from scheduler.sim import cloud as sim_cloud
from scheduler.sim import placement_server
from scheduler.sim import rpc_client


@dataclasses.dataclass
class Outcome:
    flavor: str
    hosts: list
    reason: str | None
    scheduler_ms: float
    round_trip_ms: float


class TimedManager(scheduler_manager.SchedulerManager):
    """Records how long each select_destinations spends in the service."""

    def __init__(self, conf):
        super().__init__(conf)
        self._local = threading.local()

    def select_destinations(self, context, spec, instance_uuids=None,
                            return_alternates=False, on_candidates=None):
        start = time.perf_counter()
        try:
            return super().select_destinations(
                context, spec, instance_uuids, return_alternates,
                on_candidates)
        finally:
            self.last_ms = (time.perf_counter() - start) * 1000


class Progress:
    """One progress line on a terminal, a bar per task; silent otherwise.

    Written here rather than taken from a library: one line of output does
    not justify a new runtime dependency of the service. Call it with a
    task's name, what it has done and its total.
    """

    def __init__(self, names, stream=sys.stderr, width=20):
        self.stream = stream
        self.width = width
        self.enabled = stream.isatty()
        self.state = dict.fromkeys(names, 0.0)

    def __call__(self, name, done, total):
        if not self.enabled:
            return
        self.state[name] = done / total if total else 1.0
        self.stream.write('\r' + '  '.join(
            '%s [%-*s] %3d%%' % (n, self.width, '#' * int(f * self.width),
                                 f * 100)
            for n, f in self.state.items()))
        self.stream.flush()

    def close(self):
        if self.enabled:
            self.stream.write('\n')


def _spec(flavor, num_instances):
    return request_spec.RequestSpec(
        flavor=flavor, project_id='sim-project', user_id='sim-user',
        num_instances=num_instances)


# Nova 34's default enabled_filters but ComputeFilter.
SIM_FILTERS = ['ComputeCapabilitiesFilter', 'ImagePropertiesFilter',
               'ServerGroupAntiAffinityFilter', 'ServerGroupAffinityFilter']


def configure(conf, config_files, debug, log_file=None):
    """Read ``config_files`` into ``conf`` and set up the service's logs.

    The in-process Placement logs its schema migration and every request
    at INFO: a simulation's output is its report, so they are lowered.
    ``log_file``: where the service logs (else stderr); ``debug`` logs at
    DEBUG.
    """
    logging.register_options(conf)
    logging.set_defaults(default_log_levels=(
        logging.get_default_log_levels() + ['alembic=WARN',
                                            'placement=WARN']))
    args = []
    for path in config_files:
        args += ['--config-file', path]
    conf(args, project='scheduler', default_config_files=[])
    conf.set_override('debug', debug)
    if log_file is not None:
        conf.set_override('log_file', log_file)
    logging.setup(conf, 'scheduler-sim')


def set_sim_defaults(conf):
    """Defaults for a cloud that has no Nova databases behind it.

    The synthetic cloud has no nova_db to read, so the casts are the only
    host-facts source; and with no compute service known to be up,
    ComputeFilter would refuse every host, so it is off unless the
    configuration given enables it.
    """
    conf.set_default('sources', [], group='host_facts')
    conf.set_default('enabled_filters', SIM_FILTERS,
                     group='filter_scheduler')


class Simulation:
    """Placement, the cloud, the RPC server and a client, in one process."""

    def __init__(self, conf, cloud, workdir, durable=True,
                 placement_options=None):
        """``placement_options``: ``{'GROUP.NAME': value}`` of Placement."""
        set_sim_defaults(conf)
        self.conf = conf
        self.cloud = cloud
        self.placement = placement_server.PlacementServer(
            workdir, durable=durable, options=placement_options)
        self.server = None
        self.manager = None
        self.client = None

    def start(self):
        endpoint = self.placement.start()
        sim_cloud.populate(endpoint, self.cloud)
        placement_server.apply_placement_conf(self.conf, endpoint)
        transport = rpc_transport.get_transport(self.conf, url='fake://')
        self.manager = TimedManager(self.conf)
        self.server = rpc_server.build_rpc_server(
            self.conf, self.manager, transport=transport)
        self.server.start()
        self.client = rpc_client.SchedulerClient(transport, timeout=60)

    def stop(self):
        if self.server is not None:
            self.server.stop()
            self.server.wait()
        self.placement.stop()

    def request(self, flavor_name, num_instances=1):
        flavor = self.cloud.flavors[flavor_name]
        ctxt = oslo_context.RequestContext(
            project_id='sim-project', user_id='sim-user')
        uuids = [str(uuid.uuid4()) for _ in range(num_instances)]
        start = time.perf_counter()
        try:
            result = self.client.select_destinations(
                ctxt.to_dict(), _spec(flavor, num_instances), uuids,
                return_objects=True, return_alternates=True)
            hosts, reason = [s[0].service_host for s in result], None
        except exception.NoValidHost as e:
            hosts, reason = [], e.reason
        round_trip = (time.perf_counter() - start) * 1000
        return Outcome(flavor_name, hosts, reason, self.manager.last_ms,
                       round_trip)

    def usages(self):
        return sim_cloud.usages(self.placement.endpoint)


def run(sim, flavors, requests, instances_per_request=1):
    """Send ``requests`` calls cycling over ``flavors``; returns outcomes."""
    progress = Progress(['requests'])
    outcomes = []
    for n in range(requests):
        outcomes.append(sim.request(flavors[n % len(flavors)],
                                    instances_per_request))
        progress('requests', n + 1, requests)
    progress.close()
    return outcomes


def _percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _of(used, host, rc):
    """``used/total`` of ``rc`` on ``host``; ``-`` where it has none."""
    # A snapshot's host may take its disk from a sharing provider.
    if rc not in host.inventory:
        return '-'
    return '%d/%d' % (used.get(rc, 0), host.inventory[rc]['total'])


def report(outcomes, usages, cloud, stream=sys.stdout):
    """Print what went where, why the rest failed, and how long it took."""
    placed = collections.Counter(h for o in outcomes for h in o.hosts)
    failures = collections.Counter(o.reason for o in outcomes if o.reason)
    ok = sum(1 for o in outcomes if not o.reason)
    write = stream.write
    write('\nRequests: %d  placed: %d  NoValidHost: %d\n\n'
          % (len(outcomes), ok, len(outcomes) - ok))
    write('%-16s %9s %6s %16s %16s\n' % (
        'host', 'instances', 'VCPU', 'MEMORY_MB', 'DISK_GB'))
    for host in cloud.hosts:
        used = usages.get(host.name, {})
        write('%-16s %9d %6d %16s %16s\n' % (
            host.name, placed.get(host.name, 0), used.get('VCPU', 0),
            _of(used, host, 'MEMORY_MB'), _of(used, host, 'DISK_GB')))
    if failures:
        write('\nWhy requests got NoValidHost:\n')
        for reason, count in failures.most_common():
            write('  %4d x %s\n' % (count, reason))
    sched = [o.scheduler_ms for o in outcomes]
    trips = [o.round_trip_ms for o in outcomes]
    write('\nLatency (ms)            p50      p90      p99      max\n')
    for label, values in (('scheduler (service)', sched),
                          ('RPC round trip', trips)):
        write('%-20s %8.1f %8.1f %8.1f %8.1f\n' % (
            label, _percentile(values, 0.5), _percentile(values, 0.9),
            _percentile(values, 0.99), max(values)))
    write('(the round trip includes fake:// polling, ~50 ms a call; the '
          'scheduler line is the service\'s own time, Placement included)\n')
