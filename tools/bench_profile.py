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

"""Where a scheduler-server worker's CPU goes, phase by phase (py-spy).

``tools/bench_e2e.py --profile DIR`` samples the measured worker with
py-spy (``pip install py-spy``; it attaches by pid, needs ptrace) while
each of its own rows runs, only when a thread holds the GIL (``--gil``,
so waiting on Placement or RabbitMQ is not counted), into
``DIR/<row>.txt`` (py-spy's raw format: one collapsed stack and its
count a line). ``python tools/bench_profile.py FILE CALLS [RATE]``
prints the same breakdown of a file.

Each sample goes to the innermost step of a request its stack is in
(``PHASES``: the RPC layer, the endpoint, the steps of the cycle) and,
within it, to what it was doing there (``KINDS``: HTTP through
keystoneauth, JSON decoding, logging), so that "claim / HTTP" is the
keystoneauth side of ``PUT /allocations``. Samples are turned into ms
per call: samples / rate / calls. Sampling costs the worker CPU of its
own, and rare short phases are sampled a few times only: read the
shares, and compare runs of the same rate and number of calls.

A garbage collection is sampled in whatever allocated when it ran
(mostly "JSON decode"); the measured server's workers also count them
(``tools/bench_server.py``), and the table ends with their collections
and ms per call, which the phases above include.
"""

import collections
import os
import shutil
import signal
import subprocess
import sys

# (phase, marker): a frame whose "function (file" starts with the
# marker puts the sample in the phase, the innermost marker winning.
# The pipeline's steps are marked "(pipeline)": another module's work.
PHASES = (
    ('RPC receive (listener thread)', 'PollStyleListenerAdapter._runner ('),
    ('RPC dispatch (other)', 'RPCServer._process_incoming ('),
    ('RPC context', 'SchedulerSerializer.deserialize_context ('),
    ('RPC reply: serialize Selections',
     'SchedulerSerializer.serialize_entity ('),
    ('RPC reply: send', 'AMQPIncomingMessage.reply ('),
    ('endpoint (other)', 'SchedulerEndpoint.select_destinations ('),
    ('read RequestSpec', 'SchedulerEndpoint._read_request ('),
    ('notifications', 'SelectDestinationsNotifier.'),
    ('driver (other)', 'FilterScheduler.select_destinations ('),
    ('metrics', 'PrometheusRecorder.'),
    ('host facts before_request', 'HostFactsStore.before_request ('),
    ('query', 'build (scheduler/cycle/query.py'),
    ('GET candidates', 'fetch (scheduler/cycle/candidates.py'),
    ('host states (pipeline)', 'build (scheduler/cycle/host_states.py'),
    ('provider names', 'ProviderNames.'),
    ('filter (pipeline)', 'run (scheduler/cycle/filter.py'),
    ('weigh (pipeline)', 'run (scheduler/cycle/weigh.py'),
    ('rank (pipeline)', 'run (scheduler/cycle/rank.py'),
    ('claim', 'claim (scheduler/cycle/claim.py'),
    ('select (pipeline)', 'selections (scheduler/cycle/select.py'),
)
# What a sample was doing inside its phase; the innermost wins too.
KINDS = (
    ('HTTP', 'PlacementClient.request ('),
    ('JSON decode', 'loads (scheduler/placement/decoding.py'),
    ('JSON decode', 'decode (scheduler/placement/candidates.py'),
    ('logging', 'Logger.'),
    ('logging', 'KeywordArgumentAdapter.'),
)
OTHER_THREADS = 'other threads'


def py_spy():
    """The py-spy executable beside this Python or on PATH, or None."""
    beside = os.path.join(os.path.dirname(sys.executable), 'py-spy')
    if os.path.exists(beside):
        return beside
    return shutil.which('py-spy')


class Sampler:
    """``py-spy record`` of one process into ``path`` until ``stop()``."""

    def __init__(self, pid, path, rate=250, executable=None):
        self.path = path
        self.rate = rate
        self.log = open(path + '.log', 'wb')
        self.process = subprocess.Popen(
            [executable or py_spy(), 'record', '--pid', str(pid),
             '--rate', str(rate), '--format', 'raw', '--gil',
             '--nonblocking', '--output', path],
            stdout=self.log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL)

    def stop(self):
        """Stop sampling; py-spy writes its file on SIGINT."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def _classify(frames):
    phase, kind = None, ''
    for frame in frames:
        for name, marker in PHASES:
            if frame.startswith(marker):
                phase, kind = name, ''
                break
        else:
            for name, marker in KINDS:
                if frame.startswith(marker) and phase is not None:
                    kind = name
                    break
    return phase or OTHER_THREADS, kind


def breakdown(path):
    """``{(phase, kind): samples}`` of a py-spy raw file."""
    found = collections.Counter()
    if not os.path.exists(path):
        return found
    with open(path) as f:
        for line in f:
            stack, _, count = line.rstrip('\n').rpartition(' ')
            if not stack or not count.isdigit():
                continue
            found[_classify(stack.split(';'))] += int(count)
    return found


def gc_lines(columns):
    """Extra lines of ``table``: garbage collections per call.

    :param columns: [({generation: (collections, seconds)}, calls)], as
        ``tools/bench_server.py`` counts them.
    """
    lines = []
    for generation in (0, 1, 2):
        lines.append(('GC gen %d: collections per call' % generation,
                      ['%.2f' % (gc.get(generation, (0, 0.0))[0]
                                 / max(calls, 1)) for gc, calls in columns]))
        lines.append(('GC gen %d: ms per call' % generation,
                      ['%.2f' % (gc.get(generation, (0, 0.0))[1] * 1000.0
                                 / max(calls, 1)) for gc, calls in columns]))
    lines.append(('GC: ms per call (measured; inside the lines above)',
                  ['%.2f' % (sum(t for _, t in gc.values()) * 1000.0
                             / max(calls, 1)) for gc, calls in columns]))
    return lines


def table(columns, rate, extra=()):
    """Lines: ms per call of each (phase, kind), a column per profile.

    :param columns: [(title, breakdown, calls)].
    :param extra: [(label, [cell per column])], printed after the total.
    """
    order = [name for name, _ in PHASES] + [OTHER_THREADS]
    keys = sorted({key for _, found, _ in columns for key in found},
                  key=lambda k: (order.index(k[0]), k[1]))
    rows = [['phase'] + [title for title, _, _ in columns]]
    for key in keys:
        label = key[0] + (' / ' + key[1] if key[1] else '')
        rows.append([label] + ['%.2f' % (found.get(key, 0) * 1000.0
                                         / rate / max(calls, 1))
                               for _, found, calls in columns])
    rows.append(['total'] + ['%.2f' % (sum(found.values()) * 1000.0
                                       / rate / max(calls, 1))
                             for _, found, calls in columns])
    rows.extend([label] + list(cells) for label, cells in extra)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ['  '.join(cell.ljust(w) if i == 0 else cell.rjust(w)
                      for i, (cell, w) in enumerate(zip(row, widths)))
            for row in rows]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) not in (2, 3):
        sys.exit('usage: bench_profile.py RAW_FILE CALLS [RATE]')
    rate = float(argv[2]) if len(argv) == 3 else 250.0
    print('\n'.join(table([(os.path.basename(argv[0]), breakdown(argv[0]),
                            int(argv[1]))], rate)))
    print('ms of sampled CPU (GIL held) per call, %g samples/s' % rate)


if __name__ == '__main__':
    main()
