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

"""Casts sent with Nova's own SchedulerAPI change the service's view.

Casts are fanout and unanswered: each test polls select_destinations (no
instance uuids, so nothing is claimed) until every worker shows the change,
within a bound, and then checks that it stays.
"""

import time

import pytest

from tests.fixtures import server
from tests.nova_compat import layout

SETTLE_TIMEOUT = 20
CONFIRMATIONS = 2 * layout.WORKERS


def _zones(nova, scheduler_api, ctxt, flavor, new_uuids):
    [instance] = new_uuids(1)
    spec = nova.make_request_spec(ctxt, flavor, [instance])
    result = scheduler_api.select_destinations(
        ctxt, spec, None, return_objects=True, return_alternates=True)
    return {s.service_host: s.availability_zone for s in result[0]}


def _settle(read, expected):
    """``read()`` once it equals ``expected`` for every worker."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    seen = read()
    while seen != expected and time.monotonic() < deadline:
        time.sleep(0.2)
        seen = read()
    for _ in range(CONFIRMATIONS):
        if seen != expected:
            break
        seen = read()
    return seen


def test_aggregate_zone_cast_reaches_the_selections(
        nova, scheduler_api, scheduler_service, ctxt, new_uuids, hosts):
    flavor = nova.make_flavor('compat.az', vcpus=1, memory_mb=128,
                              root_gb=1)
    names = [h.name for h in hosts]

    def zones():
        found = _zones(nova, scheduler_api, ctxt, flavor, new_uuids)
        return {found[name] for name in found}

    aggregate = nova.make_aggregate('compat-zone', names,
                                    {'availability_zone': 'az-one'})
    scheduler_api.update_aggregates(ctxt, [aggregate])
    assert _settle(zones, {'az-one'}) == {'az-one'}

    aggregate.metadata = {'availability_zone': 'az-two'}
    scheduler_api.update_aggregates(ctxt, [aggregate])
    assert _settle(zones, {'az-two'}) == {'az-two'}

    scheduler_api.delete_aggregate(ctxt, aggregate)
    assert _settle(zones, {'nova'}) == {'nova'}


def test_instance_sync_mismatch_tells_the_service_it_was_out_of_date(
        nova, scheduler_api, scheduler_service, ctxt, hosts, log_watch):
    host_name = hosts[1].name
    admin = ctxt.elevated()
    flavor = nova.make_flavor('compat.sync', vcpus=1, memory_mb=128,
                              root_gb=1)
    instances = nova.make_instance_list(ctxt, host_name, flavor, count=3)
    uuids = [i.uuid for i in instances]
    scheduler_api.update_instance_info(admin, host_name, instances)
    scheduler_api.sync_instance_info(admin, host_name, uuids)
    matched = log_watch.new_text(settle=2)
    assert 'Instance sync of host %s did not match' % host_name not in (
        matched)

    scheduler_api.sync_instance_info(admin, host_name, uuids[:1])
    deadline = time.monotonic() + SETTLE_TIMEOUT
    logged = ''
    while time.monotonic() < deadline:
        logged += log_watch.new_text(settle=0.5)
        if logged.count('Instance sync of host %s did not match'
                        % host_name) >= layout.WORKERS:
            break
    # Every worker had the three instances and now keeps the one.
    assert logged.count('Instance sync of host %s did not match '
                        '(3 recorded)' % host_name) == layout.WORKERS


@pytest.fixture
def same_host_service(workdir, broker, placement, hosts):
    """A scheduler-server of its own running SameHostFilter.

    Fanout casts reach it like every other; calls are sent to it alone.
    """
    service = server.SchedulerServerProcess(
        str(workdir / 'scheduler-same-host'), broker, placement.endpoint,
        host='sched-same-host', workers=layout.WORKERS, extra_conf={
            'scheduler': {'max_attempts': layout.MAX_ATTEMPTS},
            'filter_scheduler': {
                'enabled_filters': 'SameHostFilter'}})
    try:
        service.start()
        yield service
    finally:
        service.stop()


def test_instance_cast_to_a_host_is_seen_by_the_next_request(
        nova, same_host_service, ctxt, hosts):
    api = nova.scheduler_api()
    api.client = api.client.prepare(server='sched-same-host')
    admin = ctxt.elevated()
    host_name = hosts[2].name
    flavor = nova.make_flavor('compat.same', vcpus=1, memory_mb=128,
                              root_gb=1)
    instances = nova.make_instance_list(ctxt, host_name, flavor, count=2)
    spec = nova.make_request_spec(ctxt, flavor, [instances[0].uuid])
    spec.scheduler_hints = {'same_host': [instances[0].uuid]}

    def chosen():
        try:
            result = api.select_destinations(
                ctxt, spec, None, return_objects=True,
                return_alternates=True)
        except nova.NoValidHost:
            return None
        return {s.service_host for s in result[0]}

    assert chosen() is None
    api.update_instance_info(admin, host_name, instances)
    assert _settle(chosen, {host_name}) == {host_name}

    api.delete_instance_info(admin, host_name, instances[0].uuid)
    assert _settle(chosen, None) is None
