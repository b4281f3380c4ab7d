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

"""A real Placement (``scheduler.sim.placement_server``) in its own process.

The test process holds Nova's configuration on the global ``cfg.CONF``
(Nova registers ``[placement]`` and ``[scheduler]`` groups of its own), as
a nova-conductor would. Placement runs in a child process so that nothing
of it shares that configuration. Run as a module, this file is the child:
it prints one JSON line with the endpoint, then serves until its stdin is
closed (or the parent dies).
"""

import json
import os
import select
import subprocess
import sys

START_TIMEOUT = 90
STOP_TIMEOUT = 30
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


class PlacementProcessFailed(Exception):
    pass


class PlacementProcess:
    """Parent side: start the child, read its endpoint, stop it."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.endpoint = None
        self.token = None
        self.process = None
        os.makedirs(workdir, exist_ok=True)
        self.log_path = os.path.join(workdir, 'placement.log')

    def start(self):
        log = open(self.log_path, 'ab')
        self.process = subprocess.Popen(
            [sys.executable, '-m', 'tests.nova_compat.placement_process',
             self.workdir],
            cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=log)
        log.close()
        ready, _, _ = select.select([self.process.stdout], [], [],
                                    START_TIMEOUT)
        line = self.process.stdout.readline() if ready else b''
        if not line:
            self.stop()
            raise PlacementProcessFailed(
                'Placement did not start in %ss; see %s' % (
                    START_TIMEOUT, self.log_path))
        info = json.loads(line)
        self.endpoint = info['endpoint']
        self.token = info['token']

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.stdin.close()
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def main(argv):
    from scheduler.sim import placement_server

    server = placement_server.PlacementServer(argv[1])
    server.start()
    try:
        sys.stdout.write(json.dumps({'endpoint': server.endpoint,
                                     'token': server.token}) + '\n')
        sys.stdout.flush()
        # Serve until the parent closes our stdin or goes away.
        sys.stdin.buffer.read()
    finally:
        server.stop()


if __name__ == '__main__':
    main(sys.argv)
