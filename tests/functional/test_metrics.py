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

"""The Prometheus endpoint of a two-worker scheduler-server, scraped.

Placed, refused and failed requests go through RabbitMQ to both workers
of a real scheduler-server, which asks a real Placement through a fault
proxy (claims refused for capacity, a concurrent update, a Placement 500,
Placement unreachable). One scrape of ``[metrics_exporter] listen`` must
count every one of them, summed over the workers.
"""

import os
import re
import signal
import time

import pytest

from scheduler import exception
from scheduler.sim import cloud
from tests.fixtures import cloud_hosts
from tests.fixtures import fault_proxy
from tests.fixtures import scrape
from tests.functional import helpers

PLACED = 6
# Each request's timed steps (scheduler.cycle), by how it ends.
ALL_STEPS = ('query', 'candidates', 'host_states', 'filter', 'weigh',
             'rank', 'claim', 'select')


def _value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))))


def _refused(client, spec, instances=1):
    with pytest.raises(exception.NoValidHost) as err:
        client.select_destinations(helpers.context(), spec,
                                   helpers.uuids(instances),
                                   return_objects=True)
    return err.value.reason


def _served_by(server):
    """The pids of the workers that logged a finished request."""
    return set(re.findall(r'^\S+ \S+ (\d+) DEBUG \S+ .*Request \S+ took ',
                          server.logs(), re.M))


@pytest.fixture
def proxy(placement):
    with fault_proxy.FaultProxy(placement.endpoint) as p:
        yield p


def test_scrape_counts_every_request_of_both_workers(
        placement, proxy, scheduler_factory, client):
    cloud.create_hosts(placement.endpoint, cloud_hosts.make_hosts(3))
    port = scrape.free_port()
    server = scheduler_factory(
        workers=2, endpoint=proxy.endpoint, extra_conf={
            'metrics_exporter': {'listen': '127.0.0.1:%d' % port,
                                 'refresh_interval': 1},
            # Two of the three hosts per answer: every answer truncated.
            'scheduler': {'max_placement_results': 2,
                          'claim_retry_delay': 0.01}})

    for _ in range(PLACED):
        client.select_destinations(helpers.context(), helpers.spec(),
                                   helpers.uuids(1), return_objects=True)
    # One more placed, its claim written twice (a concurrent update).
    proxy.inject(fault_proxy.Fault('conflict', method='PUT',
                                   path='/allocations/', count=1))
    client.select_destinations(helpers.context(), helpers.spec(),
                               helpers.uuids(1), return_objects=True)
    proxy.clear()
    placed = PLACED + 1

    # Refusals, one per stage.
    _refused(client, helpers.spec(vcpus=64))
    _refused(client, helpers.spec(extra_specs={
        'capabilities:hypervisor_type': 'QEMU'}))
    _refused(client, helpers.spec(extra_specs={
        'hw:cpu_policy': 'dedicated', 'resources:VCPU': '1'}))
    # Both hosts offered refuse the claim for capacity.
    proxy.inject(fault_proxy.Fault('status', status=409, method='PUT',
                                   path='/allocations/'))
    _refused(client, helpers.spec())
    proxy.clear()

    # Placement failures: a 500, then nothing listening.
    proxy.inject(fault_proxy.Fault('status', status=500, method='GET',
                                   path='/allocation_candidates'))
    assert 'server error' in _refused(client, helpers.spec())
    proxy.clear()
    proxy.refuse()
    assert 'unreachable' in _refused(client, helpers.spec())
    proxy.start()

    # The gauges are published every second.
    time.sleep(2.5)
    text, samples = scrape.scrape(port)

    def count(name, **labels):
        return _value(samples, name, **labels) or 0

    duration = 'scheduler_request_duration_seconds_count'
    assert count(duration, result='placed') == placed
    assert count(duration, result='no_valid_host') == 4
    assert count(duration, result='error') == 2
    # Both workers served requests, and the scrape sums them.
    assert len(_served_by(server)) == 2

    nvh = 'scheduler_no_valid_host_total'
    assert count(nvh, stage='placement_empty', filter='') == 1
    assert count(nvh, stage='filter',
                 filter='ComputeCapabilitiesFilter') == 1
    assert count(nvh, stage='request_invalid', filter='') == 1
    assert count(nvh, stage='claim', filter='') == 1

    errors = 'scheduler_placement_errors_total'
    assert count(errors, kind='server_error') == 1
    assert count(errors, kind='unreachable') == 1

    assert count('scheduler_claim_conflicts_total') == 2
    assert count('scheduler_claim_retries_total') == 1

    # Steps: placed requests run all; each refusal stops at its stage;
    # the Placement failures stop at candidates.
    steps = 'scheduler_step_duration_seconds_count'
    expected = {'query': placed + 6, 'candidates': placed + 5,
                'diagnosis': 1, 'host_states': placed + 2,
                'filter': placed + 2, 'weigh': placed + 1,
                'rank': placed + 1, 'claim': placed + 1,
                'select': placed}
    assert {step: count(steps, step=step) for step in expected} == expected

    candidates = 'scheduler_allocation_candidates'
    # Placed, filter and claim refusals got 2 each; the empty answer 0.
    assert count(candidates + '_count') == placed + 3
    assert count(candidates + '_sum') == 2 * (placed + 2)
    assert count(candidates + '_bucket', le='0.0') == 1
    assert count('scheduler_allocation_candidates_truncated_total') == (
        placed + 2)

    # The casts are the only source: both workers have it, fresh.
    state = 'scheduler_host_facts_state'
    assert count(state, source='rpc', state='ok') == 2
    assert count(state, source='rpc', state='stale') == 0
    assert count(state, source='rpc', state='failed') == 0
    age = _value(samples, 'scheduler_host_facts_age_seconds', source='rpc')
    assert age is not None and 0 <= age < 120
    assert _value(samples, 'scheduler_deferred_releases_pending') == 0
    assert '# TYPE scheduler_request_duration_seconds histogram' in text


def _workers(server):
    """The pids of the server's worker processes (its children)."""
    parent = server.process.pid
    children = set()
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as f:
                fields = f.read().rpartition(')')[2].split()
        except OSError:
            continue
        if int(fields[1]) == parent and fields[0] != 'Z':
            children.add(int(entry))
    return children


def test_killed_worker_keeps_its_counts_and_loses_its_gauges(
        placement, scheduler_factory, client):
    cloud.create_hosts(placement.endpoint, cloud_hosts.make_hosts(2))
    port = scrape.free_port()
    server = scheduler_factory(workers=2, extra_conf={
        'metrics_exporter': {'listen': '127.0.0.1:%d' % port,
                             'refresh_interval': 1}})
    for _ in range(4):
        client.select_destinations(helpers.context(), helpers.spec(),
                                   helpers.uuids(1), return_objects=True)
    placed = ('scheduler_request_duration_seconds_count',
              (('result', 'placed'),))
    ok = ('scheduler_host_facts_state', (('source', 'rpc'), ('state', 'ok')))
    assert fault_proxy.wait_until(
        lambda: scrape.scrape(port)[1].get(placed) == 4, 10)
    before = _workers(server)
    assert len(before) == 2

    os.kill(min(before), signal.SIGKILL)
    # The launcher starts another worker, which publishes its gauges.
    assert fault_proxy.wait_until(
        lambda: len(_workers(server) - before) == 1 and
        server.consumers() >= 2, 30)
    time.sleep(2.5)
    _text, samples = scrape.scrape(port)

    # The dead worker's requests still count; its gauge no longer does.
    assert samples[placed] == 4
    assert samples[ok] == 2
