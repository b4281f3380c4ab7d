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

"""What the end-to-end benchmarks share: the stack they start, and measures.

``Stack`` starts PostgreSQL, a RabbitMQ broker (one node or a cluster) and
Placement under gunicorn with its access log, on 127.0.0.1
(tests/fixtures), in a work directory removed at the end unless kept;
``tools/bench_e2e.py`` and ``tools/bench_topology.py`` add their
scheduler-servers and callers to it. ``CPUTree`` counts a process tree's
CPU time.
"""

import os
import re
import shutil
import tempfile

import psutil
import psycopg2

from tests.fixtures import postgresql
from tests.fixtures import wsgi_placement

# What a scheduler-server logs at DEBUG for each query: its microversion
# and query string, which the Placement-alone rows send as they are.
QUERY_LOGGED = re.compile(
    r'Allocation candidates query at (\S+) for flavor \S+: (\S+)')


def percentile(values, q):
    """The ``q`` quantile of the sorted ``values`` (nearest rank), or 0."""
    return values[int(round(q * (len(values) - 1)))] if values else 0.0


def aligned(lines, left=1):
    """The table of ``lines`` (tuples of cells) as text, columns aligned.

    The first ``left`` columns are aligned left, the others right.
    """
    widths = [max(len(line[i]) for line in lines)
              for i in range(len(lines[0]))]
    return '\n'.join(
        '  '.join(cell.ljust(w) if i < left else cell.rjust(w)
                  for i, (cell, w) in enumerate(zip(line, widths)))
        for line in lines)


def machine():
    """The CPU model and count, for the tables' headers."""
    model = 'unknown CPU'
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    model = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    return '%s, %d CPUs' % (model, os.cpu_count())


class Stack:
    """PostgreSQL, a broker and Placement, started and stopped as one.

    :param make_broker: ``make_broker(workdir)``, a RabbitMQ fixture.
    :param placement_options: ``{'GROUP.OPTION': value}`` of Placement's
        own configuration.
    :param keep: leave the work directory (the components' logs).
    """

    def __init__(self, prefix, make_broker, placement_workers,
                 placement_threads, placement_options=None, keep=False):
        self.workdir = tempfile.mkdtemp(prefix=prefix)
        self.keep = keep
        self.database = postgresql.PostgreSQLCluster()
        self.broker = make_broker(os.path.join(self.workdir, 'rabbitmq'))
        self.placement = None
        self._placement_kwargs = dict(
            workers=placement_workers, threads=placement_threads,
            access_log=True, options=dict(placement_options or {}))

    def __enter__(self):
        try:
            self.database.start()
            self.broker.start()
            self.placement = wsgi_placement.GunicornPlacement(
                os.path.join(self.workdir, 'placement'),
                self.database.create_database('placement'),
                **self._placement_kwargs)
            self.placement.sync()
            self.placement.start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        if self.placement is not None and self.placement.process:
            self.placement.stop()
        self.broker.stop()
        self.database.cleanup()
        if not self.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def access_log(self, offset=0):
        """gunicorn's access log from byte ``offset`` on."""
        with open(os.path.join(self.placement.workdir, 'access.log'),
                  'rb') as f:
            f.seek(offset)
            return f.read().decode('utf-8', 'replace')

    def access_log_size(self):
        return os.path.getsize(os.path.join(self.placement.workdir,
                                            'access.log'))

    def vacuum(self):
        """VACUUM ANALYZE Placement's database, outside any measure.

        After thousands of new providers or deleted allocations,
        PostgreSQL's autovacuum and autoanalyze would otherwise run in
        the middle of a later measure (their CPU counted in it).
        """
        connection = psycopg2.connect(
            host=postgresql.HOST, port=self.database.port,
            user=postgresql.USER, dbname='placement')
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute('VACUUM ANALYZE')
        finally:
            connection.close()

    def postmaster_pid(self):
        with open(os.path.join(self.database.data, 'postmaster.pid')) as f:
            return int(f.readline())


class CPUTree:
    """CPU seconds used by a process and all its descendants.

    Children that ended and were reaped by the root are counted through
    the root's ``children_user``/``children_system``. ``alone``: the
    process only (this one: the components are its children).
    """

    def __init__(self, pid, alone=False):
        self.root = psutil.Process(pid)
        self.alone = alone

    def snapshot(self):
        times = {}
        try:
            procs = [self.root]
            if not self.alone:
                procs += self.root.children(recursive=True)
        except psutil.NoSuchProcess:
            return times, 0.0
        for proc in procs:
            try:
                t = proc.cpu_times()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            times[proc.pid] = t.user + t.system
        if self.alone:
            return times, 0.0
        t = self.root.cpu_times()
        return times, t.children_user + t.children_system

    @staticmethod
    def used(before, after):
        (old, old_reaped), (new, new_reaped) = before, after
        return (sum(v - old.get(pid, 0.0) for pid, v in new.items())
                + new_reaped - old_reaped)
