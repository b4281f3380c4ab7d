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

"""Placement's PostgreSQL restarted under load.

While the database is down, Placement answers errors; the requests that
meet them are refused with a NoValidHost naming the failed Placement call
(not a want of room: the cloud has room for every request), and a claim
whose release failed then is released by the scheduler's later retries.
Once the database is back, the service recovers by itself: nothing is
restarted, and a request sent after is placed.
"""

import time

from scheduler.sim import cloud
from tests.topology import audit
from tests.topology import rows
from tests.topology import scenario

REQUESTS = 400
HOSTS, HOST_VCPUS = 20, 40
OUTAGE = 3
RELEASE_TIMEOUT = 60
# No call may time out here: its answers take ~10-15 s on a shared
# 2-core machine.
CALL_TIMEOUT = 60


def test_postgresql_restart_refuses_naming_placement_then_recovers(
        placement, schedulers, broker, client, database):
    hosts = audit.make_hosts(HOSTS, HOST_VCPUS)
    cloud.create_hosts(placement.endpoint, hosts)

    def fault():
        database.stop()
        time.sleep(OUTAGE)
        database.start()

    answers, _ = scenario.run(broker, REQUESTS, fault,
                              timeout=CALL_TIMEOUT)
    after = scenario.probe(client)
    # Claims whose release failed while the database was down are
    # released by the schedulers' retries.
    scenario.wait_until(lambda: audit.audit(
        placement.endpoint, hosts, answers + [after]).wrong == 0,
        RELEASE_TIMEOUT, interval=2)
    found = audit.audit(placement.endpoint, hosts, answers + [after])
    refusals = [a.refusal for a in answers if a.refusal]
    row = rows.record(
        'PostgreSQL restarted mid-load (%ds down)' % OUTAGE,
        answers + [after], found, after.placed)

    assert row.requests == REQUESTS + 1
    assert (row.clear_errors, row.unexplained) == (0, 0), [
        a.error for a in answers if a.error][:5]
    # The outage was met, and every refusal names the failed call.
    assert refusals
    assert all(audit.names_placement_failure(r) for r in refusals), [
        r for r in refusals if not audit.names_placement_failure(r)][:5]
    assert after.placed, after
    assert row.leaked == 0, found
    assert row.overcommit == 0
    assert all(s.process.poll() is None for s in schedulers)
