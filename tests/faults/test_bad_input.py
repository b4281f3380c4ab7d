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

"""10,000 generated bad payloads to select_destinations.

Every one must be answered, as NoValidHost with a reason (an invalid
request says which field is wrong) or, for an RPC version the server does
not serve, oslo.messaging's UnsupportedVersion. Any other answer, or none,
is an error. Afterwards the server serves a plain request, Placement holds
nothing over capacity, and the workers' memory has not kept growing.
"""

import concurrent.futures
import os
import time

from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import Phase
from hypothesis import settings
import oslo_messaging

from scheduler.rpc import errors
from tests.faults import checks
from tests.faults import matrix
from tests.faults import payloads
from tests.fixtures import cloud_hosts

EXAMPLES = int(os.environ.get('SCHEDULER_FAULTS_PAYLOADS', 10000))
# RSS is read from the middle to the end: the first half fills the
# allocator's arenas and caches (measured: +30 MB for two workers, mostly
# in the first 2,000 payloads). After that, the RSS still steps now and
# then (a new malloc arena for a thread, a dict resized: +4 to +8 MB over
# the second half, seen from run to run), but a step lands in one window
# while a leak grows in every one. So the second half is cut in windows
# and the least-growing window must stay under a leak's rate.
WARM_UP = EXAMPLES // 2
WINDOWS = 5
SENDERS = 16
# 1 KB a request; a window is 1,000 requests at the default count.
LEAK_KB_PER_REQUEST = 1


def worker_pids(proc):
    """The worker processes: the children of the server's process."""
    parent = proc.process.pid
    pids = []
    for name in os.listdir('/proc'):
        if not name.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % name) as f:
                # "pid (comm) state ppid ...": comm may hold spaces.
                fields = f.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            pids.append(int(name))
    return sorted(pids)


def rss_kb(pids):
    total = 0
    for pid in pids:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    total += int(line.split()[1])
    return total


def classify(error):
    refusal = errors.from_remote(error)
    if refusal is not None:
        return 'refused', refusal.reason
    if (isinstance(error, oslo_messaging.RemoteError) and
            error.exc_type == 'UnsupportedVersion'):
        return 'refused', 'unsupported RPC version'
    return 'error', repr(error)[:300]


def test_generated_bad_payloads(placement, server_factory, rpc_transport,
                                client):
    hosts = cloud_hosts.make_hosts(1, vcpus=2, prefix='fuzz')
    from scheduler.sim import cloud
    cloud.create_hosts(placement.endpoint, hosts)
    proc = server_factory(host='sched-bad-input', endpoint=placement.endpoint)
    raw = oslo_messaging.get_rpc_client(
        rpc_transport, oslo_messaging.Target(topic='scheduler',
                                             server='sched-bad-input'),
        timeout=30)
    pids = worker_pids(proc)
    assert len(pids) == 2, pids
    counts = {'sent': 0, 'ok': 0, 'refused': 0, 'error': 0}
    samples = {'error': [], 'vague': []}
    rss = []

    generated = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              derandomize=True, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(payloads.calls())
    def generate(call):
        generated.append(call)

    def send(call):
        version, kwargs = call
        try:
            raw.prepare(version=version).call(
                checks.context(), 'select_destinations', **kwargs)
            return 'ok', None, kwargs
        except Exception as e:  # noqa: B902 (classified)
            checks.remember(e)
            return classify(e) + (kwargs,)

    generate()
    window = max(1, (len(generated) - WARM_UP) // WINDOWS)
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(SENDERS) as pool:
        for i, (kind, reason, kwargs) in enumerate(
                pool.map(send, generated)):
            counts['sent'] += 1
            counts[kind] += 1
            if kind == 'error':
                samples['error'].append(reason)
            elif kind == 'refused' and not reason.strip():
                samples['vague'].append(repr(kwargs)[:200])
            if i >= WARM_UP and (i - WARM_UP) % window == 0:
                rss.append(rss_kb(pids))
    elapsed = time.monotonic() - started
    rss.append(rss_kb(pids))
    growth = [after - before for before, after in zip(rss, rss[1:])]
    row = matrix.record(matrix.Row(
        fault='bad input: %d generated payloads (worker RSS %d MB, '
        '%+d KB in the 2nd half, %+d in its least window)' % (
            counts['sent'], rss[-1] // 1024, rss[-1] - rss[0],
            min(growth)),
        requests=counts['sent'], succeeded=counts['ok'],
        no_valid_host=counts['refused'], errors=counts['error'],
        overcommit=checks.overcommitted(placement, hosts),
        slowest=elapsed))
    # Payloads that were valid enough claimed what they could.
    checks.release_all(placement, hosts)
    row.alive = (worker_pids(proc) == pids and
                 checks.alive(client, placement, proc))

    assert counts['sent'] >= EXAMPLES
    assert samples['error'] == []
    assert samples['vague'] == []
    assert row.overcommit == 0
    assert row.alive
    assert min(growth) < LEAK_KB_PER_REQUEST * window, growth
