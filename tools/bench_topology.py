#!/usr/bin/env python3
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

"""Scale-out on the production topology: 1, 2, 3 schedulers vs Placement.

Starts the topology suite's components on 127.0.0.1 (tests/fixtures):
PostgreSQL, Placement under gunicorn, a RabbitMQ cluster with quorum
queues, and 1,000 providers with room for every request. Then, from the
same client processes and threads each time (tests/fixtures/rpc_load.py):

- 1, 2 and 3 scheduler-server processes (two workers each, the suite's
  options), each stage sending the same number of one-instance
  select_destinations calls;
- the ceiling: the same concurrency sending Placement, directly, what the
  scheduler sends it for one instance: the ``GET /allocation_candidates``
  query the scheduler logged (same query string, same microversion), then
  ``PUT /allocations`` of one of the candidates (picked at random, so the
  ceiling has as few claim conflicts as it can).

The ceiling is measured before and after the scheduler rows. Prints
calls per second, p50/p99 latency, the share of the ceiling and the
claim conflicts per placed instance (the 409s on ``PUT /allocations`` in
gunicorn's access log: ``placement.concurrent_update`` and capacity
refusals, each one a claim sent again). Asserts nothing. The machine's
cores are shared by every component: compare the rows of one run.
"""

import argparse
import concurrent.futures
import os
import re
import sys
import threading
import time

import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

import bench_stack  # noqa: E402

from tests.fixtures import cloud_hosts  # noqa: E402
from tests.fixtures import placement_direct  # noqa: E402
from tests.fixtures import rabbitmq  # noqa: E402
from tests.fixtures import rpc_load  # noqa: E402
from tests.fixtures import server  # noqa: E402
from tests.topology import settings  # noqa: E402

PUT_409 = re.compile(r'"PUT /allocations/\S+ HTTP/[\d.]+" 409 ')
# Each provider has room for far more than a run asks.
PROVIDER_VCPUS = 64
# The suite's scheduler options, with Placement's timeout as long as the
# ceiling's: an overloaded Placement slows both rows alike, and the
# scheduler's rows are not cut short by its 10 s test timeout.
SERVER_CONF = dict(settings.SERVER_CONF, placement={'timeout': 60})


class Stage:
    """One row: a load's answers and what Placement's access log saw."""

    def __init__(self, name, answers, seconds, conflicts):
        self.name = name
        self.requests = len(answers)
        self.placed = sum(a.placed for a in answers)
        self.rate = len(answers) / seconds
        latencies = sorted(a.seconds for a in answers)
        self.p50 = bench_stack.percentile(latencies, 0.50)
        self.p99 = bench_stack.percentile(latencies, 0.99)
        self.conflicts = conflicts
        self.refused = sum(a.refusal is not None for a in answers)
        self.errors = sum(a.error is not None for a in answers)


def placement_caller(endpoint, query, version):
    """(a function placing one consumer straight through Placement, None).

    ``GET /allocation_candidates?<query>``, then ``PUT /allocations`` of
    a random candidate; a 409 sends the claim again with another one.
    """
    local = threading.local()

    def place(consumer):
        if not hasattr(local, 'session'):
            local.session = requests.Session()
        answer = rpc_load.Answer(consumer, started=time.time())
        answer.host, failure = placement_direct.place(
            local.session, endpoint, version, query, consumer)
        if failure == placement_direct.NO_CANDIDATE:
            answer.refusal = 'no allocation candidate'
        answer.seconds = time.time() - answer.started
        return answer

    return place, lambda: None


class Topology(bench_stack.Stack):
    """The suite's components, started and stopped as one."""

    def __init__(self, args):
        super().__init__(
            'bench-topology-',
            lambda workdir: rabbitmq.RabbitMQCluster(
                workdir, size=args.rabbit_nodes),
            args.placement_workers, args.placement_threads, keep=args.keep)
        self.args = args
        self.fleet = None

    def __exit__(self, *exc):
        if self.fleet is not None:
            self.fleet.stop_all()
        super().__exit__(*exc)

    def create_providers(self, count):
        hosts = cloud_hosts.make_hosts(
            count, vcpus=PROVIDER_VCPUS, memory_mb=1024 * PROVIDER_VCPUS,
            disk_gb=10 * PROVIDER_VCPUS, prefix='bench')
        placement_direct.create_hosts(self.placement.endpoint, hosts)

    def start_schedulers(self, count):
        self.fleet = server.ServerFleet(
            os.path.join(self.workdir, 'servers-%d' % count), self.broker,
            self.placement.endpoint)
        with concurrent.futures.ThreadPoolExecutor(count) as pool:
            started = [pool.submit(self.fleet.start, host='bench-%d' % n,
                                   workers=settings.WORKERS,
                                   extra_conf=SERVER_CONF)
                       for n in range(count)]
            return [future.result() for future in started]

    def stop_schedulers(self):
        self.fleet.stop_all()
        self.fleet = None


def _measure(topology, name, load):
    before = topology.access_log_size()
    started = time.monotonic()
    with load:
        answers = load.answers()
    seconds = time.monotonic() - started
    log = topology.access_log(before)
    return Stage(name, answers, seconds, len(PUT_409.findall(log)))


def _load(args, requests=None, **kwargs):
    return rpc_load.Load(None, requests or args.requests,
                         clients=args.clients,
                         threads=args.threads, deadline=args.deadline,
                         **kwargs)


def scheduler_stage(topology, args, count, requests=None):
    """(the ``Stage``, (microversion, query string) the scheduler sent)."""
    procs = topology.start_schedulers(count)
    try:
        stage = _measure(
            topology, '%d scheduler-server%s x %d workers' % (
                count, 's' if count > 1 else '', settings.WORKERS),
            _load(args, requests, caller_args=(
                topology.broker.transport_url, settings.CALL_TIMEOUT)))
        found = bench_stack.QUERY_LOGGED.search(procs[0].logs())
        return stage, (found.group(1), found.group(2)) if found else None
    finally:
        topology.stop_schedulers()


def ceiling_stage(topology, args, version, query, when):
    return _measure(topology, 'Placement alone (GET + PUT), %s' % when,
                    _load(args, caller=placement_caller,
                          caller_args=(topology.placement.endpoint, query,
                                       version)))


def table(stages, ceiling_rate):
    header = ('', 'calls', 'placed', 'refused', 'errors', 'calls/s',
              'p50 ms', 'p99 ms', '% of ceiling', 'conflicts/placed')
    lines = [header]
    for stage in stages:
        lines.append((
            stage.name, str(stage.requests), str(stage.placed),
            str(stage.refused), str(stage.errors),
            '%.1f' % stage.rate, '%.0f' % (stage.p50 * 1000),
            '%.0f' % (stage.p99 * 1000),
            '%.0f%%' % (100 * stage.rate / ceiling_rate),
            '%.2f' % (stage.conflicts / max(stage.placed, 1))))
    return bench_stack.aligned(lines, left=1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--providers', type=int, default=1000)
    parser.add_argument('--requests', type=int, default=400,
                        help='calls per row')
    parser.add_argument('--clients', type=int, default=settings.CLIENTS,
                        help='client processes')
    parser.add_argument('--threads', type=int, default=settings.THREADS,
                        help='threads per client process')
    parser.add_argument('--schedulers', type=int, default=3)
    parser.add_argument('--placement-workers', type=int, default=3)
    parser.add_argument('--placement-threads', type=int, default=4)
    parser.add_argument('--rabbit-nodes', type=int, default=3)
    parser.add_argument('--deadline', type=int, default=900,
                        help='seconds a row may take at most')
    parser.add_argument('--keep', action='store_true',
                        help='keep the logs (the path is printed)')
    args = parser.parse_args(argv)
    with Topology(args) as topology:
        if args.keep:
            print('logs in %s' % topology.workdir)
        started = time.monotonic()
        topology.create_providers(args.providers)
        print('%d providers in %.0fs' % (args.providers,
                                         time.monotonic() - started))
        # A few calls to read the query the scheduler sends.
        _, query = scheduler_stage(topology, args, 1, requests=10)
        if query is None:
            sys.exit('no scheduler logged its allocation candidates query')
        print('query (microversion %s): %s' % query)
        # The ceiling before and after the schedulers' rows: how much the
        # machine's other work moved it during the run.
        stages = [ceiling_stage(topology, args, *query, when='before')]
        for count in range(1, args.schedulers + 1):
            stages.append(scheduler_stage(topology, args, count)[0])
            print('%s: %.1f calls/s' % (stages[-1].name, stages[-1].rate))
        stages.append(ceiling_stage(topology, args, *query, when='after'))
    ceiling_rate = (stages[0].rate + stages[-1].rate) / 2
    print()
    print(table(stages, ceiling_rate))
    print('%% of ceiling: of the mean of the two Placement-alone rows '
          '(%.1f calls/s)' % ceiling_rate)
    print('\n%d client processes x %d threads, %d providers, Placement: '
          'gunicorn %d x %d threads on PostgreSQL, RabbitMQ: %d nodes; '
          'machine: %d CPUs' % (
              args.clients, args.threads, args.providers,
              args.placement_workers, args.placement_threads,
              args.rabbit_nodes, os.cpu_count()))


if __name__ == '__main__':
    main()
