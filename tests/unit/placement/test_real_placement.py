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

"""Candidates and claims against the real Placement (PlacementServer)."""

import threading

from oslo_utils import uuidutils
import pytest

from scheduler import exception
from scheduler.objects import request_spec as rs
from scheduler.placement import candidates
from scheduler.placement import claims
from scheduler.placement import client as placement_client
from scheduler.placement import providers
from scheduler.placement import translation as q
from tests.fixtures import placement_writes

INVENTORY = {'VCPU': 4, 'MEMORY_MB': 4096, 'DISK_GB': 100}


def _host(client, name, traits=(), inventory=INVENTORY):
    uuid = placement_writes.create_provider(client, name)
    placement_writes.set_inventories(client, uuid, inventory)
    if traits:
        placement_writes.set_traits(client, uuid, traits)
    return uuid


def _spec(vcpus=1, memory_mb=512, root_gb=10, extra_specs=None):
    return rs.RequestSpec(
        flavor=rs.Flavor(vcpus=vcpus, memory_mb=memory_mb, root_gb=root_gb,
                         extra_specs=extra_specs or {}),
        project_id='proj', user_id='user')


def _ask(client, spec, limit=100):
    return candidates.get_allocation_candidates(
        client, q.build_query(spec, limit))


def _roots(cands):
    return {rp for ar in cands.allocation_requests
            for rp in ar['allocations']}


def test_candidates_cover_hosts_with_room(client):
    small = _host(client, 'small', inventory={'VCPU': 1, 'MEMORY_MB': 512,
                                              'DISK_GB': 10})
    big = _host(client, 'big')
    cands = _ask(client, _spec(vcpus=2))
    assert _roots(cands) == {big}
    assert small not in cands.provider_summaries
    assert cands.version == '1.36'
    assert cands.allocation_requests[0] == {
        'allocations': {big: {'resources': {
            'VCPU': 2, 'MEMORY_MB': 512, 'DISK_GB': 10}}},
        'mappings': {'': [big]}}
    summary = cands.provider_summaries[big]
    assert summary.root_provider_uuid == big
    assert summary.resources['VCPU'] == candidates.Inventory(capacity=4,
                                                             used=0)


def test_required_trait_selects_provider(client):
    _host(client, 'plain')
    gold = _host(client, 'gold', traits=['CUSTOM_GOLD'])
    cands = _ask(client, _spec(extra_specs={'trait:CUSTOM_GOLD':
                                            'required'}))
    assert _roots(cands) == {gold}


def test_forbidden_trait_excludes_provider(client):
    plain = _host(client, 'plain')
    _host(client, 'disabled', traits=['COMPUTE_STATUS_DISABLED'])
    cands = _ask(client, _spec(extra_specs={
        'trait:COMPUTE_STATUS_DISABLED': 'forbidden'}))
    assert _roots(cands) == {plain}


def test_limit_bounds_the_candidates(client):
    for i in range(5):
        _host(client, 'host%d' % i)
    assert len(_ask(client, _spec(), limit=2)) == 2


def test_granular_groups_are_understood_by_placement(client):
    root = _host(client, 'cn')
    for name in ('pf1', 'pf2'):
        pf = placement_writes.create_provider(client, name,
                                              parent_provider_uuid=root)
        placement_writes.set_inventories(client, pf, {'SRIOV_NET_VF': 4})
    spec = _spec(extra_specs={'resources1:SRIOV_NET_VF': '1',
                              'resources2:SRIOV_NET_VF': '1',
                              'group_policy': 'isolate'})
    cands = _ask(client, spec)
    # isolate: the two VFs come from different PFs (2 orderings).
    assert len(cands) == 2
    for ar in cands.allocation_requests:
        assert set(ar['mappings']) == {'', '1', '2'}
        assert ar['mappings']['1'] != ar['mappings']['2']


def test_unknown_resource_class_is_rejected_with_placement_detail(client):
    _host(client, 'cn')
    spec = _spec(extra_specs={'resources:CUSTOM_NOPE': '1'})
    with pytest.raises(exception.PlacementQueryRejected) as ctx:
        _ask(client, spec)
    assert 'rejected the query (400)' in ctx.value.reason
    assert 'CUSTOM_NOPE' in ctx.value.reason


def test_claim_shows_in_usages_and_release_frees_it(client):
    host = _host(client, 'cn')
    cands = _ask(client, _spec(vcpus=3, memory_mb=1024, root_gb=20))
    consumer = uuidutils.generate_uuid()
    claims.claim(client, consumer, cands.allocation_requests[0], 'proj',
                 'user')
    assert placement_writes.get_usages(client, host) == {
        'VCPU': 3, 'MEMORY_MB': 1024, 'DISK_GB': 20}
    held = claims.get_allocations(client, consumer, '1.38')
    assert held['consumer_type'] == 'INSTANCE'
    assert held['project_id'] == 'proj'
    # The claim changed what Placement offers next.
    assert _roots(_ask(client, _spec(vcpus=2))) == set()
    assert claims.release(client, consumer) is True
    assert placement_writes.get_usages(client, host) == {
        'VCPU': 0, 'MEMORY_MB': 0, 'DISK_GB': 0}
    assert claims.release(client, consumer) is False


def test_release_if_unchanged_leaves_a_newer_claim_alone(client):
    _host(client, 'cn-a')
    _host(client, 'cn-b')
    first, second = _ask(client, _spec()).allocation_requests[:2]
    consumer = uuidutils.generate_uuid()
    claims.claim(client, consumer, first, 'proj', 'user')
    assert claims.release_if_unchanged(
        client, consumer, first['allocations']) == claims.RELEASED
    assert claims.get_allocations(client, consumer)['allocations'] == {}
    assert claims.release_if_unchanged(
        client, consumer, first['allocations']) == claims.ABSENT
    # The caller retried meanwhile and the consumer holds a newer claim.
    claims.claim(client, consumer, second, 'proj', 'user')
    assert claims.release_if_unchanged(
        client, consumer, first['allocations']) == claims.CHANGED
    held = claims.get_allocations(client, consumer)['allocations']
    assert set(held) == set(second['allocations'])


@pytest.mark.parametrize('version', ['1.34', '1.36', '1.38', '1.39'])
def test_placement_accepts_mappings_in_claims_from_1_34(client, version):
    _host(client, 'cn')
    ar = _ask(client, _spec()).allocation_requests[0]
    assert 'mappings' in ar
    consumer = uuidutils.generate_uuid()
    body = claims.claim_body(ar, 'proj', 'user', version)
    assert 'mappings' in body
    client.put('/allocations/' + consumer, body, version)
    assert claims.get_allocations(client, consumer)['allocations']


def test_placement_rejects_mappings_before_1_34_so_claims_drop_them(client):
    _host(client, 'cn')
    ar = _ask(client, _spec()).allocation_requests[0]
    body = dict(claims.claim_body(ar, 'proj', 'user', '1.33'),
                mappings=ar['mappings'])
    with pytest.raises(exception.PlacementQueryRejected) as ctx:
        client.put('/allocations/' + uuidutils.generate_uuid(), body,
                   '1.33')
    assert "'mappings' was unexpected" in ctx.value.reason
    claims.claim(client, uuidutils.generate_uuid(), ar, 'proj', 'user',
                 version='1.33')


def test_placement_requires_consumer_type_from_1_38(client):
    _host(client, 'cn')
    ar = _ask(client, _spec()).allocation_requests[0]
    body = claims.claim_body(ar, 'proj', 'user', '1.38')
    del body['consumer_type']
    with pytest.raises(exception.PlacementQueryRejected) as ctx:
        client.put('/allocations/' + uuidutils.generate_uuid(), body,
                   '1.38')
    assert "'consumer_type' is a required property" in ctx.value.reason


def test_claim_beyond_capacity_is_claim_conflict(client):
    _host(client, 'cn')
    ar = _ask(client, _spec(vcpus=3)).allocation_requests[0]
    claims.claim(client, uuidutils.generate_uuid(), ar, 'proj', 'user')
    with pytest.raises(exception.ClaimConflict) as ctx:
        claims.claim(client, uuidutils.generate_uuid(), ar, 'proj', 'user')
    assert 'exceed the capacity' in ctx.value.reason


def test_repeated_claim_of_same_consumer_is_idempotent(client):
    host = _host(client, 'cn')
    ar = _ask(client, _spec(vcpus=2)).allocation_requests[0]
    consumer = uuidutils.generate_uuid()
    claims.claim(client, consumer, ar, 'proj', 'user')
    claims.claim(client, consumer, ar, 'proj', 'user')
    assert placement_writes.get_usages(client, host)['VCPU'] == 2


def test_claim_of_a_consumer_holding_a_source_doubles_it(client):
    """A non-forced evacuation, as Nova claims it: source + destination."""
    source, dest = _host(client, 'src'), _host(client, 'dst')
    consumer = uuidutils.generate_uuid()
    ar_source = {'allocations': {source: {'resources': {'VCPU': 2}}}}
    ar_dest = {'allocations': {dest: {'resources': {'VCPU': 2}}}}
    claims.claim(client, consumer, ar_source, 'proj', 'user')
    previous = claims.claim(client, consumer, ar_dest, 'proj', 'user')
    assert set(previous['allocations']) == {source}
    assert placement_writes.get_usages(client, source)['VCPU'] == 2
    assert placement_writes.get_usages(client, dest)['VCPU'] == 2
    claims.restore(client, consumer, previous, 'proj', 'user')
    assert placement_writes.get_usages(client, source)['VCPU'] == 2
    assert placement_writes.get_usages(client, dest).get('VCPU', 0) == 0


def test_concurrent_claims_never_overcommit(client):
    host = _host(client, 'cn')
    ar = _ask(client, _spec(vcpus=1)).allocation_requests[0]
    outcomes = []

    def one_claim():
        try:
            claims.claim(client, uuidutils.generate_uuid(), ar, 'proj',
                         'user')
            outcomes.append('claimed')
        except exception.ClaimConflict:
            outcomes.append('conflict')

    threads = [threading.Thread(target=one_claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ['claimed'] * 4 + ['conflict'] * 4
    assert placement_writes.get_usages(client, host)['VCPU'] == 4


def test_provider_names_come_from_placement(client):
    a = _host(client, 'host-a')
    child = placement_writes.create_provider(client, 'host-a-pf',
                                             parent_provider_uuid=a)
    names = providers.ProviderNames(client)
    unknown = uuidutils.generate_uuid()
    found = names.lookup([a, child, unknown])
    assert (found.get(a), found.get(child)) == ('host-a', 'host-a-pf')
    assert unknown not in found
    assert names.root_of(child) == a


def test_aggregates_and_member_of(client):
    agg = uuidutils.generate_uuid()
    inside = _host(client, 'inside')
    _host(client, 'outside')
    placement_writes.set_aggregates(client, inside, [agg])
    query = q.build_query(_spec(), 10)
    query.unsuffixed.member_of.append(frozenset([agg]))
    cands = candidates.get_allocation_candidates(client, query)
    assert _roots(cands) == {inside}


def test_missing_provider_write_is_not_found(client):
    with pytest.raises(placement_client.PlacementNotFound):
        placement_writes.get_usages(client, uuidutils.generate_uuid())


def test_release_if_unchanged_refuses_when_written_in_between(
        client, monkeypatch):
    _host(client, 'cn')
    ar = _ask(client, _spec()).allocation_requests[0]
    consumer = uuidutils.generate_uuid()
    claims.claim(client, consumer, ar, 'proj', 'user')
    read = claims.get_allocations

    def read_then_someone_writes(*args, **kwargs):
        held = read(*args, **kwargs)
        body = claims.claim_body(ar, 'proj', 'user', '1.28')
        body['consumer_generation'] = held['consumer_generation']
        client.put('/allocations/%s' % consumer, body, '1.28')
        return held

    monkeypatch.setattr(claims, 'get_allocations', read_then_someone_writes)
    assert claims.release_if_unchanged(
        client, consumer, ar['allocations']) == claims.CHANGED
    monkeypatch.setattr(claims, 'get_allocations', read)
    assert claims.get_allocations(client, consumer)['allocations']
