"""Query building: a flavor (and extra specs) -> the query string sent."""

import pytest

from scheduler import exception
from scheduler.objects import request_spec as rs
from scheduler.placement import query as q


def _spec(vcpus=2, memory_mb=2048, root_gb=20, ephemeral_gb=0, swap=0,
          extra_specs=None, is_bfv=False, **kwargs):
    flavor = rs.Flavor(vcpus=vcpus, memory_mb=memory_mb, root_gb=root_gb,
                       ephemeral_gb=ephemeral_gb, swap=swap, name='f',
                       extra_specs=extra_specs or {})
    return rs.RequestSpec(flavor=flavor, is_bfv=is_bfv, **kwargs)


# (case, spec, expected query string); limit is 1000 in every case.
CASES = [
    ('flavor resources',
     _spec(),
     'resources=DISK_GB:20,MEMORY_MB:2048,VCPU:2&limit=1000'),
    ('ephemeral and swap add to root disk, swap rounded up to GiB',
     _spec(root_gb=10, ephemeral_gb=5, swap=1025),
     'resources=DISK_GB:17,MEMORY_MB:2048,VCPU:2&limit=1000'),
    ('boot from volume drops the root disk',
     _spec(root_gb=20, is_bfv=True),
     'resources=MEMORY_MB:2048,VCPU:2&limit=1000'),
    ('boot from volume keeps ephemeral and swap',
     _spec(root_gb=20, ephemeral_gb=1, swap=512, is_bfv=True),
     'resources=DISK_GB:2,MEMORY_MB:2048,VCPU:2&limit=1000'),
    ('zero amounts of the flavor are left out',
     _spec(root_gb=0, memory_mb=0),
     'resources=VCPU:2&limit=1000'),
    ('resources:VCPU=0 drops VCPU',
     _spec(extra_specs={'resources:VCPU': '0'}),
     'resources=DISK_GB:20,MEMORY_MB:2048&limit=1000'),
    ('resources:VCPU=N overrides the flavor',
     _spec(extra_specs={'resources:VCPU': '8'}),
     'resources=DISK_GB:20,MEMORY_MB:2048,VCPU:8&limit=1000'),
    ('ironic style: custom class only',
     _spec(extra_specs={'resources:CUSTOM_BAREMETAL_GOLD': '1',
                        'resources:VCPU': '0', 'resources:MEMORY_MB': '0',
                        'resources:DISK_GB': '0'}),
     'resources=CUSTOM_BAREMETAL_GOLD:1&limit=1000'),
    ('required and forbidden traits',
     _spec(extra_specs={'trait:HW_CPU_X86_AVX2': 'required',
                        'trait:CUSTOM_GOLD': 'required',
                        'trait:COMPUTE_STATUS_DISABLED': 'forbidden'}),
     'resources=DISK_GB:20,MEMORY_MB:2048,VCPU:2'
     '&required=CUSTOM_GOLD,HW_CPU_X86_AVX2,!COMPUTE_STATUS_DISABLED'
     '&limit=1000'),
    ('extra specs of other consumers are ignored',
     _spec(extra_specs={'hw:cpu_policy': 'shared',
                        'aggregate_instance_extra_specs:ssd': 'true'}),
     'resources=DISK_GB:20,MEMORY_MB:2048,VCPU:2&limit=1000'),
    ('numbered group with its own traits, and group_policy',
     _spec(extra_specs={'resources1:SRIOV_NET_VF': '1',
                        'trait1:CUSTOM_PHYSNET_A': 'required',
                        'resources2:SRIOV_NET_VF': '1',
                        'group_policy': 'isolate'}),
     'resources=DISK_GB:20,MEMORY_MB:2048,VCPU:2'
     '&resources1=SRIOV_NET_VF:1&required1=CUSTOM_PHYSNET_A'
     '&resources2=SRIOV_NET_VF:1&group_policy=isolate&limit=1000'),
    ('a class named in a numbered group leaves the unsuffixed one',
     _spec(extra_specs={'resources1:VCPU': '2', 'group_policy': 'none'}),
     'resources=DISK_GB:20,MEMORY_MB:2048&resources1=VCPU:2'
     '&group_policy=none&limit=1000'),
    ('numbered groups sort numerically, named groups last',
     _spec(extra_specs={'resources10:VGPU': '1', 'resources2:VGPU': '1',
                        'resources_NIC:SRIOV_NET_VF': '1'}),
     'resources=DISK_GB:20,MEMORY_MB:2048,VCPU:2&resources2=VGPU:1'
     '&resources10=VGPU:1&resources_NIC=SRIOV_NET_VF:1&limit=1000'),
    ('a numbered group left empty by a zero is dropped',
     _spec(extra_specs={'resources1:VGPU': '0'}),
     'resources=DISK_GB:20,MEMORY_MB:2048,VCPU:2&limit=1000'),
    ('root traits of the request level params',
     _spec(request_level_params=rs.RequestLevelParams(
         root_required={'COMPUTE_NODE'},
         root_forbidden={'CUSTOM_WINDOWS'})),
     'resources=DISK_GB:20,MEMORY_MB:2048,VCPU:2'
     '&root_required=COMPUTE_NODE,!CUSTOM_WINDOWS&limit=1000'),
]


@pytest.mark.parametrize('case,spec,expected', CASES,
                         ids=[c[0] for c in CASES])
def test_query_string_of_request(case, spec, expected):
    assert q.build_query(spec, 1000).to_query_string() == expected


INVALID = [
    ({'resources:VCPU': 'two'}, 'non-negative integer'),
    ({'resources:VCPU': '-1'}, 'non-negative integer'),
    ({'resources:vcpu': '1'}, 'not a valid resource class'),
    ({'trait:CUSTOM_GOLD': 'preferred'}, 'must be required or forbidden'),
    ({'group_policy': 'spread'}, 'must be one of none, isolate'),
]


@pytest.mark.parametrize('extra_specs,message', INVALID)
def test_malformed_extra_spec_is_an_invalid_request(extra_specs, message):
    with pytest.raises(exception.InvalidRequest) as ctx:
        q.build_query(_spec(extra_specs=extra_specs), 10)
    assert message in ctx.value.reason


def test_query_is_data_a_request_filter_can_extend():
    query = q.build_query(_spec(), 5)
    query.unsuffixed.member_of.append(frozenset({'agg2', 'agg1'}))
    query.unsuffixed.member_of.append(frozenset({'agg3'}))
    query.unsuffixed.forbidden_aggregates.add('agg9')
    query.unsuffixed.in_tree = 'rp1'
    assert query.to_params() == [
        ('resources', 'DISK_GB:20,MEMORY_MB:2048,VCPU:2'),
        ('member_of', 'in:agg1,agg2'),
        ('member_of', 'agg3'),
        ('member_of', '!in:agg9'),
        ('in_tree', 'rp1'),
        ('limit', '5'),
    ]


def test_query_string_is_url_encoded_where_needed():
    query = q.AllocationCandidatesQuery(limit=1)
    query.unsuffixed.in_tree = 'a b&c'
    assert query.to_query_string() == 'in_tree=a+b%26c&limit=1'


@pytest.mark.parametrize('change,version', [
    (lambda query: None, '1.36'),
    (lambda query: query.unsuffixed.forbidden_traits.add('X'), '1.36'),
    (lambda query: query.group('_NIC').resources.update(VF=1), '1.36'),
    (lambda query: query.unsuffixed.any_traits.append(
        frozenset({'A', 'B'})), '1.39'),
])
def test_microversion_is_1_36_unless_a_feature_needs_more(change, version):
    query = q.build_query(_spec(), 10)
    change(query)
    assert query.microversion == version


def test_any_traits_render_as_required_in():
    query = q.AllocationCandidatesQuery()
    query.unsuffixed.resources['VCPU'] = 1
    query.unsuffixed.any_traits.append(frozenset({'B', 'A'}))
    assert query.to_query_string() == 'resources=VCPU:1&required=in:A,B'


def test_features_name_versions_in_the_table():
    query = q.build_query(_spec(extra_specs={
        'resources1:VGPU': '1', 'trait:X': 'forbidden',
        'resources_N:VF': '1'}), 1)
    query.same_subtree.append(['1', '_N'])
    assert query.features() == {'forbidden_traits', 'granular_groups',
                                'string_suffixes', 'same_subtree'}
