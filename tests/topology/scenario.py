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

"""One row's load, with a fault broken in at a point of it.

``run(broker, requests, fault=None, at=0.25)`` sends the load from the
suite's client processes; once ``at`` of the calls are answered it calls
``fault()`` (which may send requests of its own, as probes, and returns
their answers), then waits for every call's answer. The load is bounded:
by the call timeout for each call and by ``deadline`` for the whole.
"""

import glob
import os
import signal
import uuid

from tests.fixtures import fault_proxy
from tests.fixtures import rpc_load
from tests.topology import settings


wait_until = fault_proxy.wait_until


def probe(client):
    """One request of a caller, answered or not (an ``Answer``)."""
    return rpc_load.call(client, str(uuid.uuid4()))


def run(broker, requests, fault=None, at=0.25, deadline=480,
        timeout=settings.CALL_TIMEOUT):
    """(answers of the load, what ``fault`` returned)."""
    broken = None
    with rpc_load.Load(broker.transport_url, requests,
                       clients=settings.CLIENTS, threads=settings.THREADS,
                       timeout=timeout, deadline=deadline) as load:
        if fault is not None:
            if not load.wait_answered(int(requests * at), timeout=deadline):
                raise rpc_load.LoadLost(
                    'only %d of %d calls answered before the fault'
                    % (load.answered, requests))
            broken = fault()
        answers = load.answers()
    return answers, broken


def _tree(pid):
    """``pid`` and every process under it, parents first."""
    found = [pid]
    for task in glob.glob('/proc/%d/task/*/children' % pid):
        with open(task) as f:
            for child in f.read().split():
                found += _tree(int(child))
    return found


def kill_tree(pid):
    """SIGKILL ``pid`` and every process under it, as a host crash would.

    The parent first (stopped while its tree is read), so that it cannot
    start a worker again in place of one killed.
    """
    os.kill(pid, signal.SIGSTOP)
    for process in _tree(pid):
        try:
            os.kill(process, signal.SIGKILL)
        except ProcessLookupError:
            pass
