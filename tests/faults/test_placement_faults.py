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

"""Placement faults, injected by a proxy in front of the real Placement.

Each case is one line: the fault, the requests it applies to, and what
the caller must get. For every case the caller is answered (success after
a bounded retry, or NoValidHost whose reason names the fault class), the
server logs one ERROR line per failed request (not one per retry),
Placement holds no allocation that no answer accounts for, nothing is
over-committed, and the server serves a plain request afterwards.
"""

import pytest

from tests.faults import checks
from tests.faults import matrix
from tests.fixtures import cloud_hosts
from tests.fixtures import fault_proxy
from tests.functional import helpers

Fault = fault_proxy.Fault
CANDIDATES = '/allocation_candidates'
CLAIM = '/allocations/'
REQUESTS = 3

# (row name, fault (None: refuse connections), instances per request,
#  expected: 'ok' or the words NoValidHost's reason must contain)
CASES = [
    ('connection refused', None, 1, 'unreachable'),
    ('30 s stall of candidates', Fault('stall', seconds=30,
                                       path=CANDIDATES), 1, 'timed out'),
    ('500 on candidates', Fault('status', 500, path=CANDIDATES), 1,
     'server error'),
    ('502 on candidates', Fault('status', 502, path=CANDIDATES), 1,
     'server error'),
    ('503 once, then fine', Fault('status', 503, path=CANDIDATES, count=1),
     1, 'ok'),
    ('truncated candidates body', Fault('truncate', path=CANDIDATES), 1,
     'unparsable response'),
    ('non-JSON candidates body', Fault('not_json', path=CANDIDATES), 1,
     'unparsable response'),
    ('connection reset on candidates', Fault('reset', path=CANDIDATES), 1,
     'unreachable'),
    ('slow candidates (1.5 s)', Fault('slow', seconds=1.5, path=CANDIDATES),
     1, 'ok'),
    ('409 concurrent_update x2, then fine',
     Fault('conflict', method='PUT', path=CLAIM, count=2), 1, 'ok'),
    ('409 concurrent_update storm',
     Fault('conflict', method='PUT', path=CLAIM), 1,
     'placement.concurrent_update'),
    ('500 on the 2nd claim of 2 instances',
     Fault('status', 500, method='PUT', path=CLAIM, after=1), 2,
     'server error'),
    ('claim answer lost (truncated PUT)',
     Fault('truncate', method='PUT', path=CLAIM, count=1), 1, 'any'),
    ('500 on GET /', Fault('status', 500, method='GET', path='/'), 1,
     'server error'),
]


@pytest.fixture(scope='module')
def hosts(placement):
    hosts = cloud_hosts.make_hosts(4, vcpus=8, memory_mb=32768, disk_gb=400)
    from scheduler.sim import cloud
    cloud.create_hosts(placement.endpoint, hosts)
    return hosts


@pytest.fixture(scope='module')
def scheduler(server_factory, hosts, client, placement):
    proc = server_factory(host='sched-placement-faults')
    # Each worker has talked to Placement once: the session is built and
    # the microversion known before any fault.
    for _ in range(4):
        assert checks.alive(client, placement, proc)
    return proc


@pytest.mark.parametrize('name,fault,instances,expected', CASES,
                         ids=[c[0] for c in CASES])
def test_placement_fault(name, fault, instances, expected, proxy, placement,
                         scheduler, client, hosts):
    since = checks.log_size(scheduler)
    if fault is None:
        proxy.refuse()
    else:
        proxy.inject(fault)
    try:
        outcomes = [checks.call(client, count=instances)
                    for _ in range(REQUESTS)]
    finally:
        proxy.clear()
        proxy.start()
    errors = checks.error_lines(scheduler, since)
    row = matrix.record(matrix.Row(
        fault=name, requests=len(outcomes),
        succeeded=sum(o.ok for o in outcomes),
        no_valid_host=sum(o.refusal is not None for o in outcomes),
        errors=sum(o.error is not None for o in outcomes),
        leaked=(checks.leaked(placement, outcomes) +
                checks.orphans(placement, outcomes)),
        overcommit=checks.overcommitted(placement, hosts),
        error_lines=len(errors),
        slowest=max(o.seconds for o in outcomes)))
    checks.release(placement, outcomes)
    row.alive = checks.alive(client, placement, scheduler)

    assert [o.error for o in outcomes if o.error] == []
    if expected == 'ok':
        assert row.succeeded == REQUESTS, [
            o.refusal.reason for o in outcomes if o.refusal]
    elif expected != 'any':
        assert row.no_valid_host == REQUESTS
        for outcome in outcomes:
            assert expected in outcome.refusal.reason
            # A broken Placement is never "no capacity".
            assert 'Placement has no candidate' not in outcome.refusal.reason
    assert row.leaked == 0
    assert row.overcommit == 0
    assert row.alive
    # One ERROR line per failed request at most, whatever the retries.
    assert len(errors) <= row.no_valid_host, errors
    assert helpers.total_usage(placement, 'VCPU') == 0


def test_a_claim_whose_release_failed_is_released_once_placement_is_back(
        proxy, placement, scheduler, client, hosts):
    # The second claim of two instances fails, and so does the release
    # of the first (every /allocations/ call after the first claim). The
    # server retries every [scheduler] release_retry_interval (15 s).
    since = checks.log_size(scheduler)
    proxy.inject(Fault('status', 503, path=CLAIM, after=1))
    try:
        outcome = checks.call(client, count=2)
        assert outcome.refusal is not None
        assert 'server error' in outcome.refusal.reason
        first = outcome.consumers[0]
        assert helpers.allocations(placement, first)
    finally:
        proxy.clear()
    assert fault_proxy.wait_until(
        lambda: not any(helpers.allocations(placement, c)
                        for c in outcome.consumers), timeout=45)
    row = matrix.record(matrix.Row(
        fault='503 on 2nd claim and on the release (retried later)',
        requests=1, succeeded=0, no_valid_host=1, errors=0,
        leaked=checks.leaked(placement, [outcome]),
        overcommit=checks.overcommitted(placement, hosts),
        error_lines=len(checks.error_lines(scheduler, since)),
        slowest=outcome.seconds))
    row.alive = checks.alive(client, placement, scheduler)
    assert (row.leaked, row.overcommit, row.alive) == (0, 0, True)
    assert helpers.total_usage(placement, 'VCPU') == 0
    assert ('Claim of consumer %s released on attempt' % first
            in checks.log_since(scheduler, since))
