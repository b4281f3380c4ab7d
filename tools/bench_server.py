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

"""``scheduler-server`` whose workers count their garbage collections.

``tools/bench_e2e.py --profile`` runs the measured server as ``python
tools/bench_server.py --config-file F``: the same ``main()``, with each
worker, once started, timing every collection of the cyclic garbage
collector (``gc.callbacks``) and writing the totals, ``{"generation":
[collections, seconds]}`` as JSON, to ``$BENCH_GC_FILE.<pid>`` twice a
second. A sampling profiler shows a collection's time in whatever
allocated when it ran; this says how much of it there was. Only the
benchmark runs it; the service itself is unchanged.
"""

import gc
import json
import os
import sys
import threading
import time

GC_FILE_ENV = 'BENCH_GC_FILE'
WRITE_EVERY = 0.5


class GCCounter:
    """Collections and seconds per generation, since ``install()``."""

    def __init__(self):
        self.totals = {}
        self._started = {}

    def __call__(self, phase, info):
        generation = info['generation']
        if phase == 'start':
            self._started[generation] = time.perf_counter()
            return
        started = self._started.pop(generation, None)
        if started is not None:
            count, seconds = self.totals.get(generation, (0, 0.0))
            self.totals[generation] = (
                count + 1, seconds + time.perf_counter() - started)

    def install(self):
        gc.callbacks.append(self)

    def write(self, path):
        tmp = '%s.tmp' % path
        with open(tmp, 'w') as f:
            json.dump({str(g): list(v) for g, v in self.totals.items()}, f)
        os.replace(tmp, path)


def read_totals(path):
    """{generation: (collections, seconds)} from a worker's file."""
    try:
        with open(path) as f:
            return {int(g): tuple(v) for g, v in json.load(f).items()}
    except (OSError, ValueError):
        return {}


def _counting(start, base):
    """``SchedulerService.start`` that then counts the collections."""
    def start_counting(self):
        start(self)
        counter = GCCounter()
        counter.install()
        path = '%s.%d' % (base, os.getpid())

        def writer():
            while True:
                counter.write(path)
                time.sleep(WRITE_EVERY)

        threading.Thread(target=writer, daemon=True).start()
    return start_counting


def main():
    # Here, not at the top: tools/bench_e2e.py imports this module beside
    # Nova, whose process must not load the service's options.
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
        __file__))))
    from scheduler.cmd import server

    base = os.environ.get(GC_FILE_ENV)
    if base:
        server.SchedulerService.start = _counting(
            server.SchedulerService.start, base)
    return server.main()


if __name__ == '__main__':
    sys.exit(main())
