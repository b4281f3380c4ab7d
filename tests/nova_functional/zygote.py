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

"""A ``scheduler-server`` already imported, forked once per test.

A new Python process pays about a second of CPU to import the service
and its libraries, for every one of several hundred tests. Each stestr
worker starts one of these at install (``start()``), before any test
and before any thread: it imports ``scheduler.cmd.server`` and waits.
For each server it reads one request (JSON, one line on its stdin),
forks, and answers the child's pid; the child becomes a new session
with its output in the given file and runs ``server.main(argv)``, the
entry point of ``scheduler-server``, exactly as the command does.

A request may freeze the child's clock: oslo.utils' ``utcnow()`` then
reads the time the test froze Nova's at (notification samples freeze
it in 2012), so that the service judges the heartbeats Nova's services
write at that time as Nova's scheduler would in the test's process.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import traceback


def _child(request, channels):
    for fd in channels:
        os.close(fd)
    os.setsid()
    # The service manages its own worker processes.
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    out = os.open(request['output'],
                  os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(out, 1)
    os.dup2(out, 2)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    code = 1
    try:
        from oslo_utils import timeutils

        from scheduler.cmd import server
        if request.get('frozen_at'):
            timeutils.set_time_override(timeutils.parse_isotime(
                request['frozen_at']).replace(tzinfo=None))
        code = server.main(request['argv'])
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code or 0)


def serve():
    from scheduler.cmd import server  # noqa: F401  the point: imported once

    # The kernel reaps the servers: a server that exited is gone, which is
    # how the test process sees that it exited.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    requests, replies = sys.stdin.fileno(), sys.stdout.fileno()
    with os.fdopen(requests, 'r') as reader:
        for line in reader:
            request = json.loads(line)
            pid = os.fork()
            if pid == 0:
                _child(request, (requests, replies))
            os.write(replies, b'%d\n' % pid)


class Zygote:
    """The test process's handle on its worker's zygote."""

    def __init__(self, log_path):
        with open(log_path, 'ab') as log:
            self._process = subprocess.Popen(
                [sys.executable, '-m', 'scheduler_nova_functional.zygote'],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                start_new_session=True)
        self._lock = threading.Lock()

    def fork(self, argv, output, frozen_at=None):
        """Start ``scheduler-server argv``; its pid."""
        if self._process.poll() is not None:
            raise RuntimeError('the scheduler zygote exited with %s'
                               % self._process.returncode)
        request = {'argv': argv, 'output': output, 'frozen_at': frozen_at}
        with self._lock:
            self._process.stdin.write(json.dumps(request).encode() + b'\n')
            self._process.stdin.flush()
            return int(self._process.stdout.readline())


_zygote = []


def start(log_path):
    _zygote.append(Zygote(log_path))


def fork(argv, output, frozen_at=None):
    if not _zygote:
        raise RuntimeError('no scheduler zygote in this process')
    return _zygote[0].fork(argv, output, frozen_at)


if __name__ == '__main__':
    serve()
