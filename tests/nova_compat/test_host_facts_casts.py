"""Casts sent with Nova's own SchedulerAPI change the service's view.

Casts are fanout and unanswered: each test polls select_destinations (no
instance uuids, so nothing is claimed) until every worker shows the change,
within a bound, and then checks that it stays.
"""

import time

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
