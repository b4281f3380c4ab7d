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

"""The exporter: scheduler-server's parent process serves every worker.

``prometheus_client`` runs in multiprocess mode: each worker writes its
counters, histograms and gauges to memory-mapped files of its own (named
by its pid) in ``PROMETHEUS_MULTIPROC_DIR``, and a scrape sums them. So,
in the parent, before any worker is forked, ``Exporter.start()``:

1. makes a private directory (mode 0700, under ``$TMPDIR``) and names it
   in the environment the workers inherit;
2. switches ``prometheus_client`` to multiprocess values, even if some
   library imported it before the variable was set;
3. binds ``[metrics_exporter] listen`` and serves ``GET /metrics`` from a
   thread of the parent; forked workers close the listening socket.

At each scrape the files of workers that are gone are first marked dead
(``multiprocess.mark_process_dead``): their gauges go, their counters and
histograms stay in the sums, so a restarted worker does not make a
counter go back. ``stop()`` closes the endpoint and removes the
directory.
"""

import glob
import os
import shutil
import tempfile

from oslo_log import log as logging

from scheduler.conf import metrics_exporter as exporter_conf
from scheduler.observe import metrics

LOG = logging.getLogger(__name__)

# Sockets a forked child must not keep listening on.
_PARENT_SOCKETS = set()


def _close_in_child():
    for sock in list(_PARENT_SOCKETS):
        try:
            sock.close()
        except OSError:
            pass
    _PARENT_SOCKETS.clear()


os.register_at_fork(after_in_child=_close_in_child)


class ExporterError(Exception):
    """The exporter cannot start; the message names the option."""


def _pid_of(path):
    """The pid a multiprocess file is named after (``counter_123.db``)."""
    stem = os.path.basename(path)[:-len('.db')]
    tail = stem.rpartition('_')[2]
    return int(tail) if tail.isdigit() else None


def _alive_child(pid, parent):
    """Whether ``pid`` runs and is a child of ``parent`` (or ``parent``)."""
    if pid == parent:
        return True
    try:
        with open('/proc/%d/stat' % pid) as f:
            stat = f.read()
    except OSError:
        return False
    # pid (comm) state ppid ...: comm may hold spaces and parentheses.
    fields = stat.rpartition(')')[2].split()
    return (len(fields) > 1 and fields[0] != 'Z' and
            int(fields[1]) == parent)


def mark_dead_workers(directory, parent=None):
    """Mark the workers gone whose files are in ``directory``; their pids.

    ``parent``: the pid the workers descend from (this process).
    """
    from prometheus_client import multiprocess

    parent = os.getpid() if parent is None else parent
    dead = set()
    for path in glob.glob(os.path.join(directory, '*.db')):
        pid = _pid_of(path)
        if pid is not None and pid not in dead and not _alive_child(
                pid, parent):
            dead.add(pid)
    for pid in sorted(dead):
        multiprocess.mark_process_dead(pid, directory)
    return sorted(dead)


class WorkersCollector:
    """Sums the workers' files; marks the dead ones first."""

    def __init__(self, directory):
        from prometheus_client import multiprocess

        self.directory = directory
        self._files = multiprocess.MultiProcessCollector(None, directory)

    def collect(self):
        mark_dead_workers(self.directory)
        return self._files.collect()


# This process's pid, kept up to date across forks: prometheus_client
# checks it at every increment, and os.getpid() is a system call.
_pid = os.getpid()


def _forked():
    global _pid
    _pid = os.getpid()


os.register_at_fork(after_in_child=_forked)


def _current_pid():
    return _pid


def use_multiprocess_values():
    """Make ``prometheus_client`` write to the multiprocess directory.

    It picks its value class when first imported, from the environment
    (a library may have imported it before ``start()`` set the variable):
    it is replaced by one that reads the pid kept here.
    """
    from prometheus_client import values

    values.ValueClass = values.MultiProcessValue(_current_pid)


class Exporter:
    """The ``[metrics_exporter]`` endpoint of one scheduler-server."""

    def __init__(self, conf):
        self.listen = conf.metrics_exporter.listen
        self.directory = None
        self.address = None
        self._httpd = None
        self._thread = None

    @property
    def enabled(self):
        return bool(self.listen)

    def start(self):
        """Set up the directory and serve; ExporterError names a failure."""
        if not self.enabled:
            return
        try:
            host, port = exporter_conf.parse_listen(self.listen)
        except ValueError as e:
            raise ExporterError('invalid value of [metrics_exporter] '
                                'listen: %s' % e)
        self.directory = tempfile.mkdtemp(prefix='scheduler-metrics-')
        os.environ[metrics.MULTIPROC_DIR_ENV] = self.directory
        use_multiprocess_values()
        import prometheus_client as prom

        registry = prom.CollectorRegistry(auto_describe=False)
        registry.register(WorkersCollector(self.directory))
        try:
            self._httpd, self._thread = prom.start_http_server(
                port, addr=host, registry=registry)
        except OSError as e:
            self.stop()
            raise ExporterError('[metrics_exporter] listen = %s cannot be '
                                'bound: %s' % (self.listen, e))
        _PARENT_SOCKETS.add(self._httpd.socket)
        self.address = self._httpd.server_address[:2]
        LOG.info('Prometheus metrics of every worker on http://%(listen)s'
                 '/metrics (multiprocess files in %(dir)s)',
                 {'listen': self.listen, 'dir': self.directory})

    def stop(self):
        """Close the endpoint and remove the directory (parent only)."""
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            _PARENT_SOCKETS.discard(httpd.socket)
            httpd.shutdown()
            httpd.server_close()
            self._thread.join(timeout=5)
        directory, self.directory = self.directory, None
        if directory is not None:
            if os.environ.get(metrics.MULTIPROC_DIR_ENV) == directory:
                del os.environ[metrics.MULTIPROC_DIR_ENV]
            shutil.rmtree(directory, ignore_errors=True)
