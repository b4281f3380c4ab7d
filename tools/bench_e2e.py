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

"""The whole request end to end, beside Placement's own ceiling.

Starts on 127.0.0.1 (tests/fixtures): PostgreSQL, Placement under
gunicorn (several workers and threads), one RabbitMQ node and ONE
scheduler-server with one worker. This process is "the conductor": it
sends one-instance ``select_destinations`` calls with Nova 34's own
``nova.scheduler.rpcapi.SchedulerAPI`` and Nova's RequestContextSerializer
(RPC 4.5, ``return_objects`` and ``return_alternates`` True, a Nova
``RequestSpec`` built with Nova's objects as nova-api and conductor
build it; tests/nova_compat/nova_side.py). For each cloud size in
``--sizes`` (resource providers, created in parallel threads; each has
room for every call of the run, and each row's allocations are deleted
after it, outside the timing, then the database is vacuumed and
analyzed, so every row sees the same cloud and no autovacuum runs in a
row) it measures five rows:

- ours, sequential: one call at a time; p50/p90/p99 latency and calls
  per second;
- ours, 4 clients: the same calls from 4 threads of this process sharing
  Nova's transport, as a conductor's greenthreads do;
- Placement alone, sequential and 4 clients: the same concurrency
  sending Placement directly what the scheduler sends it for one
  instance: the ``GET /allocation_candidates`` query the scheduler
  logged (same query string, same microversion; read once from a probe
  scheduler-server run with debug logging), then ``PUT /allocations`` of
  one of the candidates, picked at random (a 409 claims another). This
  is the ceiling: the scheduler cannot answer faster than Placement
  answers its two requests;
- RPC floor, paced as ours: oslo.messaging's own no-op call
  (``oslo_rpc_server_ping``; the measured server runs with ``[DEFAULT]
  rpc_ping_enabled``) sent to the same scheduler-server at the pace of
  the "ours, sequential" row. Its scheduler CPU per call is what any
  oslo.messaging server spends receiving, answering and waiting between
  calls at that pace (its listener polls for acknowledgements after each
  message, its idle threads wake up); the line after the table gives the
  scheduler's CPU above it, against the call's median latency.

Each row also gives the CPU time per call of each process tree (psutil,
user + system, before and after the row, children that exited included):
the scheduler-server (its master and worker), gunicorn's Placement
processes, PostgreSQL (the postmaster and its backends), the RabbitMQ
node and this client process alone (building Nova's RequestSpec and
serializing it, or sending and parsing the HTTP requests); and the
Placement requests per call (gunicorn's access log). The share of the
ceiling is the row's
calls per second over the Placement-alone row's of the same size and
concurrency. Asserts nothing. Every component shares the machine's
cores: compare the rows of one run, and read the CPU columns as where a
call's work goes, not as the cost on an idle machine.

``--profile DIR`` (needs py-spy) says where the worker's CPU went in
each of its rows, phase by phase (RPC, endpoint, query, GET, decoding,
the pipeline, claim, reply), and how much of it the garbage collector
took (``tools/bench_profile.py``, ``tools/bench_server.py``).
"""

import argparse
import collections
import concurrent.futures
import itertools
import os
import re
import sys
import threading
import time
import uuid

import subprocess

import psutil
import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_profile  # noqa: E402
import bench_server  # noqa: E402
import bench_stack  # noqa: E402

# Selects oslo.service's threading backend before Nova's RPC modules are
# imported (see tests/nova_compat/__init__.py); nova_side imports Nova.
from tests.nova_compat import layout  # noqa: E402
from tests.nova_compat import nova_side  # noqa: E402

from scheduler.sim import cloud  # noqa: E402
from tests.fixtures import placement_direct  # noqa: E402
from tests.fixtures import rabbitmq  # noqa: E402
from tests.fixtures import server  # noqa: E402

# gunicorn's access log: method, path without its query or ids, status.
ACCESS_LINE = re.compile(
    r'"(\w+) (/[a-z_]+)\S* HTTP/[\d.]+" (\d+) ')
# One flavor for every call; each provider holds every call of a run.
FLAVOR = dict(vcpus=1, memory_mb=512, root_gb=1)
PROVIDER_ROOM = 20000
CONCURRENCY = (1, 4)
# Nova's [scheduler] max_attempts (the chosen host and 2 alternates) and
# the nova-compat tests' filters: without Nova's databases there are no
# compute details for the others to read.
SCHEDULER_CONF = {
    'scheduler': {'max_attempts': layout.MAX_ATTEMPTS,
                  'default_cell_uuid': layout.CELL_UUID},
    'filter_scheduler': layout.SCHEDULER_CONF['filter_scheduler'],
    'placement': {'timeout': 60},
}


class CountingServer(server.SchedulerServerProcess):
    """The scheduler-server run by ``tools/bench_server.py``.

    Its workers write how many garbage collections they ran, and for how
    long, to ``gc_file.<pid>`` (``--profile``).
    """

    def __init__(self, *args, gc_file, **kwargs):
        super().__init__(*args, **kwargs)
        self.gc_file = gc_file

    def start(self):
        out = open(os.path.join(self.workdir, 'stdout.log'), 'ab')
        self.process = subprocess.Popen(
            [sys.executable, bench_server.__file__, '--config-file',
             self.config_file], stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(os.environ, **{bench_server.GC_FILE_ENV: self.gc_file}))
        out.close()
        self.wait_ready()


class Row:
    """One line of the table: latencies, rate and CPU per call."""

    def __init__(self, size, name, concurrency, results, seconds, cpu):
        self.size = size
        self.name = name
        self.concurrency = concurrency
        self.calls = len(results)
        latencies = sorted(r[0] for r in results if r[1] is None)
        self.errors = [r[1] for r in results if r[1] is not None]
        self.rate = len(latencies) / seconds if seconds else 0.0
        self.p50 = bench_stack.percentile(latencies, 0.50)
        self.p90 = bench_stack.percentile(latencies, 0.90)
        self.p99 = bench_stack.percentile(latencies, 0.99)
        self.cpu = {key: used / max(self.calls, 1)
                    for key, used in cpu.items()}
        self.ceiling = None


class Bench(bench_stack.Stack):
    """The components, started and stopped as one, and the calls."""

    def __init__(self, args):
        super().__init__('bench-e2e-', rabbitmq.RabbitMQBroker,
                         args.placement_workers, args.placement_threads,
                         placement_options=dict(args.placement_options),
                         keep=args.keep)
        self.args = args
        self.scheduler = None
        self.providers = 0
        self.api = None
        self.ctxt = None
        self.flavor = None
        self._rpc_started = False
        # Hosts in each answer: the chosen one and its alternates.
        self.answer_hosts = []
        self._http = threading.local()
        self._pinger = None

    def __enter__(self):
        super().__enter__()
        try:
            conf = nova_side.write_nova_conf(
                os.path.join(self.workdir, 'nova.conf'),
                self.broker.transport_url)
            nova_side.start_rpc(conf)
            self._rpc_started = True
            self.api = nova_side.scheduler_api()
            # The token and catalog a user's request carries; the
            # scheduler talks to Placement with its own credentials.
            self.ctxt = nova_side.make_context(
                'bench-token', 'http://placement.invalid/placement',
                project_id='bench-project', user_id='bench-user')
            self.flavor = nova_side.make_flavor('bench.small', **FLAVOR)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        if self.scheduler is not None:
            self.scheduler.stop()
        if self._rpc_started:
            nova_side.stop_rpc()
        super().__exit__(*exc)

    # The cloud.

    def grow_to(self, count):
        """Create providers up to ``count`` in all (8 threads)."""
        inventory = {
            rc: {'total': FLAVOR[key] * PROVIDER_ROOM, 'allocation_ratio': 1.0}
            for rc, key in (('VCPU', 'vcpus'), ('MEMORY_MB', 'memory_mb'),
                            ('DISK_GB', 'root_gb'))}
        hosts = [cloud.Host(name='bench-%05d' % n,
                            uuid=str(uuid.uuid5(uuid.NAMESPACE_DNS,
                                                'bench-%05d' % n)),
                            inventory=inventory, traits=[])
                 for n in range(self.providers + 1, count + 1)]
        placement_direct.create_hosts(self.placement.endpoint, hosts)
        self.providers = count

    def delete_allocations(self, consumers):
        def delete(consumer):
            self._session().delete(
                '%s/allocations/%s' % (self.placement.endpoint, consumer),
                headers=placement_direct.headers('1.0'), timeout=60)
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(delete, consumers))

    # The scheduler-server.

    def start_scheduler(self, name, debug):
        conf = {group: dict(values)
                for group, values in SCHEDULER_CONF.items()}
        for option in self.args.set:
            group, _, rest = option.partition('.')
            key, _, value = rest.partition('=')
            conf.setdefault(group, {})[key] = value
        # rpc_ping_enabled: the RPC floor row's no-op calls.
        conf.setdefault('DEFAULT', {}).update(
            debug=str(debug).lower(), rpc_ping_enabled='true')
        args = (os.path.join(self.workdir, name), self.broker,
                self.placement.endpoint)
        kwargs = dict(host=name, workers=1, extra_conf=conf)
        if self.args.profile and not debug:
            self.scheduler = CountingServer(
                *args, gc_file=os.path.join(self.args.profile, 'gc'),
                **kwargs)
        else:
            self.scheduler = server.SchedulerServerProcess(*args, **kwargs)
        self.scheduler.start()
        return self.scheduler

    def stop_scheduler(self):
        self.scheduler.stop()
        self.scheduler = None

    # The kinds of call: each returns (seconds, error or None), never
    # raises.

    def select_destinations(self, consumer):
        spec = nova_side.make_request_spec(self.ctxt, self.flavor,
                                           [consumer])

        def call():
            selections = self.api.select_destinations(
                self.ctxt, spec, [consumer], return_objects=True,
                return_alternates=True)
            if not selections or not selections[0]:
                return 'empty answer'
            self.answer_hosts.append(len(selections[0]))
            return None
        return _timed(call)

    def ping(self, consumer):
        """oslo.messaging's no-op call to the scheduler-server."""
        if self._pinger is None:
            self._pinger = nova_side.ping_client()

        def call():
            self._pinger.call(self.ctxt, 'oslo_rpc_server_ping')
        return _timed(call)

    def _session(self):
        if not hasattr(self._http, 'session'):
            self._http.session = requests.Session()
        return self._http.session

    def placement_call(self, consumer, version, query):
        """GET the scheduler's query, PUT a random candidate's claim."""
        return _timed(lambda: placement_direct.place(
            self._session(), self.placement.endpoint, version, query,
            consumer, project_id='bench-project', user_id='bench-user')[1])

    # Measuring.

    def trees(self):
        trees = {'scheduler': bench_stack.CPUTree(self.scheduler.process.pid),
                 'placement': bench_stack.CPUTree(self.placement.process.pid),
                 'postgresql': bench_stack.CPUTree(self.postmaster_pid()),
                 'client': bench_stack.CPUTree(os.getpid(), alone=True)}
        if self.broker._process is not None:
            trees['rabbitmq'] = bench_stack.CPUTree(self.broker._process.pid)
        return trees

    def run(self, call, requests, concurrency, deadline):
        """[(seconds, error or None)] of up to ``requests`` calls.

        ``concurrency`` threads call as fast as they can; no call starts
        after ``deadline`` seconds. Returns (results, wall seconds, the
        consumers, whose allocations the caller deletes).
        """
        consumers = [str(uuid.uuid4()) for _ in range(requests)]
        work = iter(consumers)
        lock = threading.Lock()
        results = []
        stop_at = time.monotonic() + deadline

        def worker():
            while time.monotonic() < stop_at:
                with lock:
                    consumer = next(work, None)
                if consumer is None:
                    return
                result = call(consumer)
                with lock:
                    results.append(result)

        started = time.monotonic()
        threads = [threading.Thread(target=worker)
                   for _ in range(concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return results, time.monotonic() - started, consumers

    def worker_pid(self):
        """The measured scheduler-server's one worker process."""
        children = psutil.Process(self.scheduler.process.pid).children()
        return children[0].pid if children else self.scheduler.process.pid

    def gc_totals(self):
        """The worker's garbage collections so far (``--profile``)."""
        gc_file = getattr(self.scheduler, 'gc_file', None)
        if gc_file is None:
            return {}
        # The worker writes its totals every WRITE_EVERY seconds.
        time.sleep(bench_server.WRITE_EVERY * 1.5)
        return bench_server.read_totals(
            '%s.%d' % (gc_file, self.worker_pid()))

    def measure(self, size, name, call, concurrency, profile=None,
                claims=True):
        """One row; ``profile``: a py-spy raw file of the worker.

        ``claims``: the calls claim in Placement (their allocations are
        deleted after the row).
        """
        trees = self.trees()
        logged = self.access_log_size()
        gc_before = self.gc_totals() if profile else {}
        sampler = (bench_profile.Sampler(self.worker_pid(), profile,
                                         self.args.profile_rate)
                   if profile else None)
        before = {key: tree.snapshot() for key, tree in trees.items()}
        try:
            results, seconds, consumers = self.run(
                call, self.args.requests, concurrency,
                self.args.row_seconds)
            cpu = {key: bench_stack.CPUTree.used(before[key], tree.snapshot())
                   for key, tree in trees.items()}
        finally:
            if sampler is not None:
                sampler.stop()
        requests = collections.Counter(
            '%s %s %s' % found.groups()
            for found in ACCESS_LINE.finditer(self.access_log(logged)))
        # Outside the row's CPU and time: every row sees the same cloud.
        if claims:
            self.delete_allocations(consumers)
            self.vacuum()
        row = Row(size, name, concurrency, results, seconds, cpu)
        row.placement_requests = requests
        if profile:
            gc_after = self.gc_totals()
            row.gc = {g: (n - gc_before.get(g, (0, 0.0))[0],
                          t - gc_before.get(g, (0, 0.0))[1])
                      for g, (n, t) in gc_after.items()}
        # The machine's 1-minute load average at the row's end: other
        # work on shared cores shows here.
        row.load = os.getloadavg()[0]
        return row


CPU_COLUMNS = ('scheduler', 'placement', 'postgresql', 'rabbitmq', 'client')


def _timed(call):
    """``(seconds, error or None)`` of ``call()``, which returns the error.

    An exception is a result too: its type's name is the error.
    """
    started = time.monotonic()
    try:
        error = call()
    except Exception as e:  # noqa: B902 (every failure is a result)
        error = type(e).__name__
    return time.monotonic() - started, error


def paced(call, interval):
    """``call``, each taking at least ``interval`` seconds of wall time."""
    def run(consumer):
        started = time.monotonic()
        result = call(consumer)
        time.sleep(max(0.0, interval - (time.monotonic() - started)))
        return result
    return run


def floor_line(size, ours, floor):
    """The scheduler's CPU per call above the RPC floor, in words."""
    sched = ours.cpu['scheduler'] * 1000
    base = floor.cpu['scheduler'] * 1000
    p50 = ours.p50 * 1000
    return ('%d providers, ours sequential: scheduler CPU %.1f ms per call, '
            '%.1f%% of its p50 (%.0f ms); RPC floor %.1f ms; above the '
            'floor %.1f ms, %.1f%% of the p50' % (
                size, sched, 100 * sched / p50 if p50 else 0, p50, base,
                sched - base, 100 * (sched - base) / p50 if p50 else 0))


def table(rows):
    header = ('providers', 'row', 'calls', 'err', 'p50 ms', 'p90 ms',
              'p99 ms', 'req/s', 'sched CPU', 'Plac. CPU', 'PG CPU',
              'Rabbit CPU', 'client CPU', 'Plac. req/call', '% ceiling',
              'load')
    lines = [header]
    for row in rows:
        cpu = ['%.1f' % (row.cpu[key] * 1000) if key in row.cpu else '-'
               for key in CPU_COLUMNS]
        lines.append((
            str(row.size), row.name, str(row.calls), str(len(row.errors)),
            '%.0f' % (row.p50 * 1000), '%.0f' % (row.p90 * 1000),
            '%.0f' % (row.p99 * 1000), '%.1f' % row.rate) + tuple(cpu) + (
            '%.2f' % (sum(row.placement_requests.values())
                      / max(row.calls, 1)),
            '%.0f%%' % row.ceiling if row.ceiling is not None else '-',
            '%.1f' % row.load))
    return bench_stack.aligned(lines, left=2)


def probe_query(bench):
    """(microversion, query string) a debug-logging scheduler sends."""
    proc = bench.start_scheduler('bench-probe', debug=True)
    try:
        for _ in range(3):
            bench.select_destinations(str(uuid.uuid4()))
        found = bench_stack.QUERY_LOGGED.search(proc.logs())
    finally:
        bench.stop_scheduler()
    if found is None:
        sys.exit('the scheduler logged no allocation candidates query; '
                 'its log:\n%s' % proc.output())
    return found.group(1), found.group(2)


def _placement_option(text):
    """``('GROUP.OPTION', 'VALUE')`` of ``--placement-option``."""
    name, sep, value = text.partition('=')
    if not sep or '.' not in name:
        raise argparse.ArgumentTypeError(
            '%r is not GROUP.OPTION=VALUE' % text)
    return name.strip(), value.strip()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sizes', default='100,1000,5000',
                        help='resource providers, comma-separated')
    parser.add_argument('--requests', type=int, default=200,
                        help='calls per row, at most')
    parser.add_argument('--row-seconds', type=float, default=40,
                        help='no call of a row starts after this')
    parser.add_argument('--warmup', type=int, default=5,
                        help='unmeasured calls of each kind per size')
    parser.add_argument('--placement-workers', type=int, default=3)
    parser.add_argument('--placement-threads', type=int, default=4)
    parser.add_argument('--set', action='append', default=[],
                        metavar='GROUP.OPTION=VALUE',
                        help='a scheduler-server option, e.g. '
                             'filter_scheduler.host_subset_size=5')
    parser.add_argument('--placement-option', action='append',
                        default=[], dest='placement_options',
                        type=_placement_option,
                        metavar='GROUP.OPTION=VALUE',
                        help="an option of Placement's own configuration, "
                             'e.g. placement.randomize_allocation_'
                             'candidates=true')
    parser.add_argument('--debug', action='store_true',
                        help='the measured scheduler-server logs at debug')
    parser.add_argument('--keep', action='store_true',
                        help='keep the logs (the path is printed)')
    parser.add_argument('--profile', metavar='DIR',
                        help='sample the measured worker with py-spy '
                             'during each of its rows into DIR and print '
                             'where its CPU went, phase by phase '
                             '(tools/bench_profile.py)')
    parser.add_argument('--profile-rate', type=int, default=250,
                        help='py-spy samples per second')
    args = parser.parse_args(argv)
    if args.profile:
        if not bench_profile.py_spy():
            sys.exit('--profile needs py-spy (pip install py-spy)')
        os.makedirs(args.profile, exist_ok=True)
    sizes = sorted(int(s) for s in args.sizes.split(',') if s.strip())
    began = time.monotonic()
    print('machine: %s; load average %.2f %.2f %.2f' % (
        (bench_stack.machine(),) + os.getloadavg()))
    rows = []
    profiles = []
    floors = []
    with Bench(args) as bench:
        if args.keep:
            print('logs in %s' % bench.workdir)
        bench.grow_to(sizes[0])
        version, query = probe_query(bench)
        print('query (microversion %s): %s' % (version, query))
        bench.start_scheduler('bench-e2e', debug=args.debug)

        def placement_call(consumer):
            return bench.placement_call(consumer, version, query)

        calls = (('ours', bench.select_destinations),
                 ('Placement alone', placement_call))
        for size in sizes:
            started = time.monotonic()
            bench.grow_to(size)
            print('%d providers (%.0fs to create)' % (
                size, time.monotonic() - started), flush=True)
            for _, call in calls:
                bench.delete_allocations(
                    bench.run(call, args.warmup, 1, args.row_seconds)[2])
            bench.vacuum()
            measured = {}
            for (kind, call), concurrency in itertools.product(
                    calls, CONCURRENCY):
                name = '%s, %s' % (kind, 'sequential' if concurrency == 1
                                   else '%d clients' % concurrency)
                profile = None
                if args.profile and kind == 'ours':
                    profile = os.path.join(args.profile, '%d-%s.txt' % (
                        size, re.sub(r'\W+', '-', name)))
                row = bench.measure(size, name, call, concurrency,
                                    profile=profile)
                if profile:
                    profiles.append(('%d %s' % (size, name), profile,
                                     row.calls, getattr(row, 'gc', {})))
                measured[kind, concurrency] = row
                rows.append(row)
                print('  %s: %d calls, %.1f req/s, p50 %.0f ms%s; '
                      'Placement requests per call: %s' % (
                          name, row.calls, row.rate, row.p50 * 1000,
                          ', errors: %s' % sorted(set(row.errors))
                          if row.errors else '',
                          ', '.join('%s %.2f' % (kind, n / max(row.calls, 1))
                                    for kind, n in sorted(
                                        row.placement_requests.items()))),
                      flush=True)
            for (kind, concurrency), row in measured.items():
                ceiling = measured['Placement alone', concurrency].rate
                row.ceiling = 100 * row.rate / ceiling if ceiling else None
            ours = measured['ours', 1]
            floor = bench.measure(
                size, 'RPC floor, paced as ours',
                paced(bench.ping, 1 / ours.rate if ours.rate else 0.0), 1,
                claims=False)
            rows.append(floor)
            floors.append(floor_line(size, ours, floor))
            print('  %s: %d calls, %.1f req/s, p50 %.1f ms%s' % (
                floor.name, floor.calls, floor.rate, floor.p50 * 1000,
                ', errors: %s' % sorted(set(floor.errors))
                if floor.errors else ''), flush=True)
    print()
    print('machine: %s' % bench_stack.machine())
    print(table(rows))
    print('\nCPU columns: ms of CPU (user + system) per call of each '
          'process tree during the row; sched: the scheduler-server '
          '(1 worker); Plac.: gunicorn %d workers x %d threads; PG: '
          'PostgreSQL; Rabbit: one RabbitMQ node; client: this process '
          'alone (Nova\'s RequestSpec and SchedulerAPI, or requests). '
          'Plac. req/call: requests in gunicorn\'s access log per '
          'call. load: the machine\'s 1-minute load average at the '
          'row\'s end (%d CPUs; more means other work shared them).' % (
              args.placement_workers, args.placement_threads,
              os.cpu_count()))
    print('%% ceiling: req/s over the Placement-alone row of the same size '
          'and concurrency (GET /allocation_candidates?%s at %s + PUT '
          '/allocations).' % (query, version))
    print('RPC floor: the scheduler CPU per call of oslo.messaging\'s no-op '
          'call (oslo_rpc_server_ping) at the pace of "ours, sequential".')
    print('\n'.join(floors))
    if profiles:
        print('\nWhere the worker\'s CPU went (py-spy, GIL held, %d '
              'samples/s; ms per call; files in %s):' % (
                  args.profile_rate, args.profile))
        print('\n'.join(bench_profile.table(
            [(title, bench_profile.breakdown(path), calls)
             for title, path, calls, _ in profiles], args.profile_rate,
            extra=bench_profile.gc_lines(
                [(gc, calls) for _, _, calls, gc in profiles]))))
    hosts = bench.answer_hosts
    if hosts:
        print('hosts per answer (the chosen one and its alternates): '
              '%d to %d, %.2f on average' % (min(hosts), max(hosts),
                                             sum(hosts) / len(hosts)))
    print('scheduler-server: 1 worker, debug logging %s, options %s; run '
          'time %.0fs; load average now %.2f %.2f %.2f' % (
              'on' if args.debug else 'off', ', '.join(args.set) or
              'defaults', time.monotonic() - began, *os.getloadavg()))
    if args.placement_options:
        print('Placement options: %s' % ', '.join(
            '%s=%s' % option for option in args.placement_options))


if __name__ == '__main__':
    main()
