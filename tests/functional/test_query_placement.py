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

"""Queries built from real requests, answered by a real Placement.

One cloud for the module (nothing here allocates):

- cn1: VCPU, MEMORY_MB, DISK_GB, HW_CPU_X86_AVX2; two SR-IOV-like child
  providers, cn1-pf1 (SRIOV_NET_VF, CUSTOM_PHYSNET_A) and cn1-pf2
  (CUSTOM_PHYSNET_B); aggregate AZ1 (availability_zone=az1).
- cn2: VCPU, PCPU, MEMORY_MB and no disk: its DISK_GB comes from the
  sharing provider ss1 (MISC_SHARES_VIA_AGGREGATE) of aggregate SHARE;
  child cn2-pf1 (CUSTOM_PHYSNET_A); aggregate AZ2 (az2).
- cn3: disabled (COMPUTE_STATUS_DISABLED), in AZ1.
- cn4: CUSTOM_WINDOWS in aggregate WIN (trait:CUSTOM_WINDOWS=required).
- cn5: in aggregate GOLD (filter_tenant_id=p-gold).

Each request must get exactly the expected providers, or NoValidHost with
the reason that says why.
"""

import types

import pytest

from scheduler.drivers import filter_scheduler
from scheduler import exception
from scheduler.objects import request_spec as rs
from scheduler.placement import adapter as placement_adapter
from scheduler.placement import client as placement_client
from scheduler.sim import placement_server
from tests.fixtures import placement_writes
from tests.unit.host_state import fakes as hs_fakes

AZ1 = '00000000-0000-0000-0000-00000000a001'
AZ2 = '00000000-0000-0000-0000-00000000a002'
SHARE = '00000000-0000-0000-0000-00000000a003'
WIN = '00000000-0000-0000-0000-00000000a004'
GOLD = '00000000-0000-0000-0000-00000000a005'

COMPUTE = {'VCPU': 8, 'MEMORY_MB': 16384, 'DISK_GB': 100}


class Facts:
    """Host facts with the aggregates Nova would have sent."""

    def __init__(self, **metadata_by_uuid):
        self._aggregates = {
            i: types.SimpleNamespace(id=i, uuid=uuid, name='agg%d' % i,
                                     hosts=[], metadata=metadata)
            for i, (uuid, metadata) in enumerate(
                sorted(metadata_by_uuid.items()))}

    def aggregates(self):
        return self._aggregates

    def aggregates_unknown(self):
        """Never: these aggregates are all there is."""
        return None

    def before_request(self):
        """Nothing to read again: these aggregates are all there is."""


FACTS = Facts(**{AZ1: {'availability_zone': 'az1'},
                 AZ2: {'availability_zone': 'az2'},
                 SHARE: {},
                 WIN: {'trait:CUSTOM_WINDOWS': 'required'},
                 GOLD: {'filter_tenant_id': 'p-gold'}})


def _conf(endpoint, **scheduler):
    conf = hs_fakes.make_conf()
    placement_server.apply_placement_conf(conf, endpoint)
    for name, value in scheduler.items():
        conf.set_override(name, value, group='scheduler')
    return conf


_rp = placement_writes.provider


@pytest.fixture(scope='module')
def cloud(tmp_path_factory):
    service = placement_server.PlacementServer(
        str(tmp_path_factory.mktemp('placement')))
    service.start()
    client = placement_client.PlacementClient(_conf(service.endpoint))
    rps = {}
    rps['cn1'] = _rp(client, 'cn1', COMPUTE, ['HW_CPU_X86_AVX2'], [AZ1])
    rps['cn1-pf1'] = _rp(client, 'cn1-pf1', {'SRIOV_NET_VF': 4},
                         ['CUSTOM_PHYSNET_A'], parent=rps['cn1'])
    rps['cn1-pf2'] = _rp(client, 'cn1-pf2', {'SRIOV_NET_VF': 4},
                         ['CUSTOM_PHYSNET_B'], parent=rps['cn1'])
    rps['cn2'] = _rp(client, 'cn2', {'VCPU': 8, 'PCPU': 4,
                                     'MEMORY_MB': 16384},
                     ['HW_CPU_HYPERTHREADING'], [AZ2, SHARE])
    rps['cn2-pf1'] = _rp(client, 'cn2-pf1', {'SRIOV_NET_VF': 2},
                         ['CUSTOM_PHYSNET_A'], parent=rps['cn2'])
    # Operators put a sharing provider in the zone of its computes too:
    # member_of applies to it as well.
    rps['ss1'] = _rp(client, 'ss1', {'DISK_GB': 1000},
                     ['MISC_SHARES_VIA_AGGREGATE'], [SHARE, AZ2])
    rps['cn3'] = _rp(client, 'cn3', COMPUTE, ['COMPUTE_STATUS_DISABLED'],
                     [AZ1])
    rps['cn4'] = _rp(client, 'cn4', COMPUTE, ['CUSTOM_WINDOWS'], [WIN])
    rps['cn5'] = _rp(client, 'cn5', COMPUTE, [], [GOLD])
    yield types.SimpleNamespace(endpoint=service.endpoint, rps=rps,
                                names={v: k for k, v in rps.items()})
    service.stop()


def _spec(xs=None, img=None, vcpus=1, memory_mb=1024, root_gb=10,
          **kwargs):
    kwargs.setdefault('project_id', 'p1')
    return rs.RequestSpec(
        flavor=rs.Flavor(vcpus=vcpus, memory_mb=memory_mb, root_gb=root_gb,
                         name='f', extra_specs=xs or {}),
        image=rs.Image(properties=img or {}), **kwargs)


def _ask(cloud, spec, facts=FACTS, **scheduler):
    """Every allocation request, as sorted tuples of provider names."""
    adapter = placement_adapter.PlacementAdapter(
        _conf(cloud.endpoint, **scheduler))
    query = adapter.query(spec, facts)
    candidates = adapter.candidates(query)
    return sorted(tuple(sorted(cloud.names[rp] for rp in ar['allocations']))
                  for ar in candidates.allocation_requests)


def test_plain_flavor_gets_every_enabled_host_and_shared_disk(cloud):
    assert _ask(cloud, _spec()) == [
        ('cn1',), ('cn2', 'ss1'), ('cn4',), ('cn5',)]


def test_required_trait_narrows_to_the_host_with_it(cloud):
    assert _ask(cloud, _spec({'trait:HW_CPU_X86_AVX2': 'required'})) == [
        ('cn1',)]


def test_forbidden_trait_excludes_the_host_with_it(cloud):
    assert _ask(cloud, _spec({'trait:CUSTOM_WINDOWS': 'forbidden'})) == [
        ('cn1',), ('cn2', 'ss1'), ('cn5',)]


def test_dedicated_cpus_come_from_the_host_with_pcpu(cloud):
    assert _ask(cloud, _spec({'hw:cpu_policy': 'dedicated',
                              'hw:cpu_thread_policy': 'require'},
                             vcpus=2)) == [('cn2', 'ss1')]


def test_sriov_group_lands_on_the_matching_child_provider(cloud):
    assert _ask(cloud, _spec({'resources1:SRIOV_NET_VF': '1',
                              'trait1:CUSTOM_PHYSNET_A': 'required'})) == [
        ('cn1', 'cn1-pf1'), ('cn2', 'cn2-pf1', 'ss1')]


def test_isolated_groups_need_two_child_providers(cloud):
    assert _ask(cloud, _spec({'resources1:SRIOV_NET_VF': '1',
                              'resources2:SRIOV_NET_VF': '1',
                              'group_policy': 'isolate'})) == [
        # pf1 for group 1 and pf2 for group 2, and the other way round.
        ('cn1', 'cn1-pf1', 'cn1-pf2'), ('cn1', 'cn1-pf1', 'cn1-pf2')]


def test_port_group_from_requested_resources(cloud):
    port = rs.RequestGroup(requester_id='port-1',
                           resources={'SRIOV_NET_VF': 1},
                           required_traits={'CUSTOM_PHYSNET_B'})
    assert _ask(cloud, _spec(requested_resources=[port])) == [
        ('cn1', 'cn1-pf2')]


def test_same_subtree_keeps_groups_under_one_child(cloud):
    assert _ask(cloud, _spec(
        {'resources_A:SRIOV_NET_VF': '1', 'trait_A:CUSTOM_PHYSNET_A':
         'required', 'resources_B:SRIOV_NET_VF': '1',
         'group_policy': 'none'},
        request_level_params=rs.RequestLevelParams(
            same_subtree=[['_A', '_B']]))) == [
        ('cn1', 'cn1-pf1'), ('cn2', 'cn2-pf1', 'ss1')]


def test_availability_zone_becomes_its_aggregate(cloud):
    assert _ask(cloud, _spec(availability_zone='az1')) == [('cn1',)]
    assert _ask(cloud, _spec(availability_zone='az2')) == [('cn2', 'ss1')]


def test_tenant_is_confined_to_its_aggregate(cloud):
    assert _ask(cloud, _spec(project_id='p-gold'),
                limit_tenants_to_placement_aggregate=True) == [('cn5',)]


def test_isolated_aggregate_only_for_requests_requiring_its_trait(cloud):
    on = {'enable_isolated_aggregate_filtering': True}
    assert _ask(cloud, _spec(), **on) == [('cn1',), ('cn2', 'ss1'),
                                          ('cn5',)]
    assert _ask(cloud, _spec(img={'traits_required': ['CUSTOM_WINDOWS']}),
                **on) == [('cn4',)]


def test_requested_node_becomes_in_tree(cloud):
    dest = rs.Destination(host='cn1', node='cn1')
    assert _ask(cloud, _spec(requested_destination=dest)) == [('cn1',)]


def test_in_tree_leaves_out_sharing_providers_outside_the_tree(cloud):
    # As for Nova: a host whose disk is shared cannot be targeted.
    dest = rs.Destination(host='cn2', node='cn2')
    assert _ask(cloud, _spec(requested_destination=dest)) == []
    assert _ask(cloud, _spec(requested_destination=dest, root_gb=0)) == [
        ('cn2',)]


def test_destination_aggregates_become_member_of(cloud):
    dest = rs.Destination(aggregates=['%s,%s' % (AZ2, GOLD)])
    assert _ask(cloud, _spec(requested_destination=dest)) == [
        ('cn2', 'ss1'), ('cn5',)]


def test_root_required_excludes_hosts_without_the_trait(cloud):
    params = rs.RequestLevelParams(root_forbidden={'HW_CPU_HYPERTHREADING'},
                                   root_required={'HW_CPU_X86_AVX2'})
    assert _ask(cloud, _spec(request_level_params=params)) == [('cn1',)]


def test_any_of_traits_go_at_the_microversion_that_has_them(cloud):
    adapter = placement_adapter.PlacementAdapter(_conf(cloud.endpoint))
    query = adapter.query(_spec(), FACTS)
    query.unsuffixed.any_traits.append(
        frozenset({'HW_CPU_X86_AVX2', 'CUSTOM_WINDOWS'}))
    candidates = adapter.candidates(query)
    assert candidates.version == '1.39'
    assert sorted(cloud.names[rp] for ar in candidates.allocation_requests
                  for rp in ar['allocations']) == ['cn1', 'cn4']


# -- NoValidHost, through the driver


def _driver(cloud, **scheduler):
    conf = _conf(cloud.endpoint, **scheduler)
    driver = filter_scheduler.FilterScheduler(
        conf=conf, placement=placement_adapter.PlacementAdapter(conf))
    driver.host_facts = FACTS
    return driver


def _refusal(cloud, spec, **scheduler):
    with pytest.raises(exception.NoValidHost) as ctx:
        _driver(cloud, **scheduler).select_destinations(None, spec, ['i1'])
    return ctx.value.reason


def test_too_big_for_every_host_names_the_resource_not_the_query(cloud):
    assert _refusal(cloud, _spec(vcpus=64)) == (
        'Placement has no candidate for VCPU:64, MEMORY_MB:1024, DISK_GB:10: '
        '4 providers have room for MEMORY_MB:1024, DISK_GB:10 but none has '
        'VCPU:64 free (largest free 8)')


def test_only_host_with_trait_is_disabled(cloud):
    reason = _refusal(cloud, _spec(availability_zone='az1',
                                   xs={'trait:HW_CPU_X86_AVX2': 'required',
                                       'resources:VCPU': '16'}))
    assert reason.endswith(', member of one of 1 aggregate: 1 provider '
                           'meets every other constraint but none has '
                           'VCPU:16 free (largest free 8)')
    # The zone's aggregate is the operator's to read, not the caller's.
    assert AZ1 not in reason


def test_malformed_extra_spec_is_refused_naming_it(cloud):
    assert _refusal(cloud, _spec({'trait:CUSTOM_GOLD': 'maybe'})) == (
        'invalid request: extra spec trait:CUSTOM_GOLD=maybe: must be one '
        'of required, forbidden')


def test_tenant_without_aggregate_is_refused_when_required(cloud):
    assert _refusal(cloud, _spec(project_id='p-none'),
                    limit_tenants_to_placement_aggregate=True,
                    placement_aggregate_required_for_tenants=True) == (
        'request filter TenantAggregateFilter: no aggregate has '
        'filter_tenant_id* metadata for project p-none, and [scheduler] '
        'placement_aggregate_required_for_tenants is set')


def test_unknown_node_is_refused(cloud):
    dest = rs.Destination(host='cn9', node='cn9')
    assert _refusal(cloud, _spec(requested_destination=dest)) == (
        'No such host - the 1 requested node has no resource provider in '
        'Placement')
