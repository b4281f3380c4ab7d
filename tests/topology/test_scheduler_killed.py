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

"""One scheduler-server SIGKILLed under load, workers and all.

A host crash: the server's claims in flight either landed whole or are
gone, never half (every consumer Placement holds has the whole flavor on
one provider), a refused call's consumer holds nothing, and the callers
whose calls it had taken get an answer (their message went back to the
queue) or a clear error (MessagingTimeout). The two other servers serve
the rest of the load and a request sent after the kill.
"""

from scheduler.sim import cloud
from tests.topology import audit
from tests.topology import rows
from tests.topology import scenario

REQUESTS = 400
HOSTS, HOST_VCPUS = 20, 40
CALL_TIMEOUT = 30


def test_scheduler_killed_mid_load_claims_land_whole_or_not_at_all(
        placement, schedulers, broker, client):
    hosts = audit.make_hosts(HOSTS, HOST_VCPUS)
    cloud.create_hosts(placement.endpoint, hosts)
    victim, others = schedulers[0], schedulers[1:]

    def fault():
        scenario.kill_tree(victim.process.pid)
        victim.process.wait(timeout=30)
        return scenario.probe(client)

    answers, during = scenario.run(broker, REQUESTS, fault,
                                   timeout=CALL_TIMEOUT)
    after = scenario.probe(client)
    row, found = rows.record_fault(
        'scheduler-server SIGKILLed mid-load', placement.endpoint, hosts,
        answers, [during, after])

    assert during.placed, during
    assert found.half_claimed == 0, found
    rows.check_fault(row, found, answers, [during, after])
    assert all(s.process.poll() is None for s in others)
