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

"""NoValidHost names the constraint a real Placement could not meet.

One cloud for the module, behind a counting proxy (nothing here claims;
one allocation of another project is written at the start):

- host-bigmem-1: 16 VCPU, 160 GiB of memory of which 32 GiB reserved,
  CUSTOM_BIGMEM;
- host-bigmem-2: 16 VCPU, 192 GiB of memory of which another project
  uses 32 GiB, CUSTOM_BIGMEM;
- host-nested: 8 VCPU; child providers pf1 (1 SRIOV_NET_VF,
  CUSTOM_PHYSNET_A) and pf2 (1 SRIOV_NET_VF, CUSTOM_PHYSNET_B);
- host-onepf: 8 VCPU; one child with 2 CUSTOM_VF;
- host-bare: no inventory at all;
every host has HW_CPU_X86_AVX2 and is in aggregate ZONE; traits
CUSTOM_NOBODY, CUSTOM_NOBODY_ROOT, CUSTOM_X and CUSTOM_Y exist on none.

Each failing request has one constraint no provider meets; the test
asserts the words that name it (and, for a resource, the largest free
amount), and that no name or uuid of a host, provider, aggregate or
other project is in any of the texts.
"""

import types

from oslo_utils import uuidutils
import pytest

from scheduler.cycle import diagnose
from scheduler.cycle import request as cycle_request
from scheduler.drivers import filter_scheduler
from scheduler import exception
from scheduler.objects import request_spec as rs
from scheduler.placement import adapter as placement_adapter
from scheduler.placement import client as placement_client
from scheduler.sim import placement_server
from tests.fixtures import conf as conf_fixture
from tests.fixtures import fault_proxy
from tests.fixtures import placement_writes

ZONE = '00000000-0000-0000-0000-00000000d001'
NOWHERE = '00000000-0000-0000-0000-00000000d002'
OTHER_PROJECT = 'other-project-6f1d0c'
GIB = 1024
AC = 'GET /allocation_candidates'
COMMON = ['HW_CPU_X86_AVX2']


def _conf(endpoint):
    conf = conf_fixture.make_conf()
    placement_server.apply_placement_conf(conf, endpoint)
    return conf


def _host(client, name, inventory, traits=(), parent=None):
    return placement_writes.provider(
        client, name, inventory, list(traits) + COMMON,
        [ZONE] if parent is None else (), parent)


@pytest.fixture(scope='module')
def cloud(tmp_path_factory):
    service = placement_server.PlacementServer(
        str(tmp_path_factory.mktemp('placement')))
    service.start()
    proxy = fault_proxy.FaultProxy(service.endpoint)
    proxy.start()
    client = placement_client.PlacementClient(_conf(service.endpoint))
    rps = {}
    rps['host-bigmem-1'] = _host(client, 'host-bigmem-1', {
        'VCPU': 16, 'DISK_GB': 100,
        'MEMORY_MB': {'total': 160 * GIB, 'reserved': 32 * GIB}},
        ['CUSTOM_BIGMEM'])
    rps['host-bigmem-2'] = _host(client, 'host-bigmem-2', {
        'VCPU': 16, 'DISK_GB': 100, 'MEMORY_MB': 192 * GIB},
        ['CUSTOM_BIGMEM'])
    small = {'VCPU': 8, 'MEMORY_MB': 16 * GIB, 'DISK_GB': 100}
    rps['host-nested'] = _host(client, 'host-nested', small)
    rps['host-nested-pf1'] = _host(client, 'host-nested-pf1',
                                   {'SRIOV_NET_VF': 1}, ['CUSTOM_PHYSNET_A'],
                                   parent=rps['host-nested'])
    rps['host-nested-pf2'] = _host(client, 'host-nested-pf2',
                                   {'SRIOV_NET_VF': 1}, ['CUSTOM_PHYSNET_B'],
                                   parent=rps['host-nested'])
    rps['host-onepf'] = _host(client, 'host-onepf', small)
    rps['host-onepf-pf'] = _host(client, 'host-onepf-pf', {'CUSTOM_VF': 2},
                                 parent=rps['host-onepf'])
    rps['host-bare'] = placement_writes.create_provider(client, 'host-bare')
    # Traits no provider has (Placement rejects a query naming a trait
    # it does not know).
    for name in ('CUSTOM_NOBODY', 'CUSTOM_NOBODY_ROOT', 'CUSTOM_X',
                 'CUSTOM_Y'):
        placement_writes.ensure_trait(client, name)
    # Another project's instance uses 32 GiB of host-bigmem-2.
    client.put('/allocations/%s' % uuidutils.generate_uuid(), {
        'allocations': {rps['host-bigmem-2']: {
            'resources': {'MEMORY_MB': 32 * GIB}}},
        'project_id': OTHER_PROJECT, 'user_id': 'other-user',
        'consumer_generation': None}, '1.28')
    yield types.SimpleNamespace(endpoint=proxy.endpoint, proxy=proxy,
                                rps=rps)
    proxy.stop()
    service.stop()


def _spec(xs=None, vcpus=1, memory_mb=1024, root_gb=10, **kwargs):
    return rs.RequestSpec(
        flavor=rs.Flavor(vcpus=vcpus, memory_mb=memory_mb, root_gb=root_gb,
                         name='f', extra_specs=xs or {}),
        image=rs.Image(properties={}), project_id='p1', **kwargs)


def _driver(cloud, enabled_filters=None, budget=None):
    """The driver without host facts: these requests end in Placement."""
    conf = _conf(cloud.endpoint)
    if budget is not None:
        conf.set_override('diagnosis_max_queries', budget,
                          group='scheduler')
    if enabled_filters is not None:
        conf.set_override('enabled_filters', enabled_filters,
                          group='filter_scheduler')
    return filter_scheduler.FilterScheduler(
        conf=conf, placement=placement_adapter.PlacementAdapter(conf))


def _refusal(cloud, spec):
    driver = _driver(cloud)
    try:
        with pytest.raises(exception.NoValidHost) as ctx:
            driver.select_destinations(None, spec, None)
    finally:
        driver.stop()
    return ctx.value


BIGMEM = {'trait:CUSTOM_BIGMEM': 'required'}


def test_blocking_memory_is_named_with_the_largest_free_amount(cloud):
    refusal = _refusal(cloud, _spec(BIGMEM, vcpus=16, memory_mb=256 * GIB))
    assert refusal.reason == (
        'Placement has no candidate for VCPU:16, MEMORY_MB:262144, '
        'DISK_GB:10, required CUSTOM_BIGMEM: 2 providers have CUSTOM_BIGMEM '
        'and room for VCPU:16, DISK_GB:10 but none has MEMORY_MB:262144 '
        'free (largest free 163,840)')


def test_missing_required_trait_is_named(cloud):
    reason = _refusal(cloud, _spec({'trait:CUSTOM_NOBODY': 'required'}))
    assert reason.reason.endswith('but none has CUSTOM_NOBODY')
    assert ': 4 providers have ' in reason.reason


def test_forbidden_trait_every_host_has_is_named(cloud):
    reason = _refusal(cloud, _spec({'trait:HW_CPU_X86_AVX2': 'forbidden'}))
    assert reason.reason.endswith('but each has the forbidden '
                                  'HW_CPU_X86_AVX2')


def test_root_required_trait_is_named(cloud):
    params = rs.RequestLevelParams(root_required={'CUSTOM_NOBODY_ROOT'})
    reason = _refusal(cloud, _spec(request_level_params=params))
    assert reason.reason.endswith('but no host has CUSTOM_NOBODY_ROOT')


def test_member_of_an_empty_aggregate_is_counted_not_named(cloud):
    dest = rs.Destination(aggregates=[NOWHERE])
    reason = _refusal(cloud, _spec(requested_destination=dest)).reason
    assert reason.endswith('but none is in the requested aggregates (1)')
    assert NOWHERE not in reason


def test_requested_node_without_room_is_named_as_the_tree(cloud):
    dest = rs.Destination(host='host-bare', node='host-bare')
    reason = _refusal(cloud, _spec(requested_destination=dest)).reason
    assert reason.endswith('but none is in the requested provider tree')
    assert 'host-bare' not in reason
    assert cloud.rps['host-bare'] not in reason


def test_same_subtree_is_named(cloud):
    params = rs.RequestLevelParams(same_subtree=[['_A', '_B']])
    reason = _refusal(cloud, _spec(
        {'resources_A:SRIOV_NET_VF': '1',
         'trait_A:CUSTOM_PHYSNET_A': 'required',
         'resources_B:SRIOV_NET_VF': '1',
         'trait_B:CUSTOM_PHYSNET_B': 'required', 'group_policy': 'none'},
        request_level_params=params)).reason
    assert reason.endswith('but none holds groups _A, _B in one subtree')


def test_isolated_groups_on_one_child_are_named(cloud):
    reason = _refusal(cloud, _spec({'resources1:CUSTOM_VF': '1',
                                    'resources2:CUSTOM_VF': '1',
                                    'group_policy': 'isolate'})).reason
    assert reason.endswith('but none takes each group from a different '
                           'provider (group_policy=isolate)')
    assert ': 1 provider has ' in reason


def test_any_of_traits_no_host_has_is_named(cloud):
    # No extra spec asks for any-of traits yet: the query is given one.
    adapter = placement_adapter.PlacementAdapter(_conf(cloud.endpoint))
    request = cycle_request.Request(_spec(), None)
    request.query = adapter.query(request.spec)
    request.query.unsuffixed.any_traits.append(
        frozenset({'CUSTOM_X', 'CUSTOM_Y'}))
    diagnoser = diagnose.Diagnoser(10, 1000)
    try:
        reason = diagnose.no_candidates(request, adapter, diagnoser).reason
    finally:
        diagnoser.stop()
    assert reason.endswith('but none has any of CUSTOM_X, CUSTOM_Y')


def _calls(cloud):
    return cloud.proxy.calls('GET', '/allocation_candidates')


def test_success_costs_no_extra_placement_call(cloud):
    before = _calls(cloud)
    driver = _driver(cloud, enabled_filters=['AllHostsFilter'])
    try:
        driver.select_destinations(None, _spec(), None)
        assert _calls(cloud) == before + 1
        # A failure costs its query, one relaxed query per constraint
        # (VCPU, MEMORY_MB, DISK_GB, the disabled trait) and one follow-up
        # of the blocking VCPU: within [scheduler] diagnosis_max_queries.
        with pytest.raises(exception.NoValidHost):
            driver.select_destinations(None, _spec(vcpus=64), None)
    finally:
        driver.stop()
    assert _calls(cloud) == before + 1 + 1 + 4 + 1


@pytest.mark.parametrize('budget, extra', [(0, 0), (2, 2)])
def test_diagnosis_max_queries_bounds_the_extra_calls(cloud, budget,
                                                      extra):
    driver = _driver(cloud, budget=budget)
    before = _calls(cloud)
    try:
        with pytest.raises(exception.NoValidHost) as ctx:
            driver.select_destinations(None, _spec(vcpus=64), None)
    finally:
        driver.stop()
    assert _calls(cloud) == before + 1 + extra
    assert ctx.value.reason.startswith(
        'Placement has no candidate for VCPU:64, MEMORY_MB:1024, DISK_GB:10')


def test_no_name_or_uuid_reaches_the_caller(cloud):
    """Every failing request's text, and the operator's detail for one."""
    specs = [
        _spec(BIGMEM, vcpus=16, memory_mb=256 * GIB),
        _spec({'trait:HW_CPU_X86_AVX2': 'forbidden'}),
        _spec(requested_destination=rs.Destination(aggregates=[NOWHERE])),
        _spec(requested_destination=rs.Destination(
            aggregates=['%s,%s' % (ZONE, NOWHERE)]), vcpus=64),
        _spec(requested_destination=rs.Destination(host='host-bare',
                                                   node='host-bare')),
        _spec(requested_destination=rs.Destination(host='host-bigmem-1',
                                                   node='host-bigmem-1'),
              vcpus=32),
        _spec(requested_destination=rs.Destination(host='host-gone',
                                                   node='host-gone')),
        _spec({'resources1:CUSTOM_VF': '1', 'resources2:CUSTOM_VF': '1',
               'group_policy': 'isolate'}, memory_mb=64 * GIB),
    ]
    secrets = (list(cloud.rps) + list(cloud.rps.values()) +
               [ZONE, NOWHERE, OTHER_PROJECT, 'host-gone', cloud.endpoint])
    texts = [_refusal(cloud, spec) for spec in specs]
    for refusal in texts:
        found = [s for s in secrets if s in refusal.reason]
        assert not found, (refusal.reason, found)
    # The operator's detail has the query strings.
    assert NOWHERE in texts[2].detail
