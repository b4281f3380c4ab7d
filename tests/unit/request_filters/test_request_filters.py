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

"""Each request filter: its switch, what it adds, how it refuses."""

import types

import pytest

from scheduler import exception
from scheduler.host_facts import store
from scheduler.objects import request_spec as rs
from scheduler.placement import translation
from scheduler.request_filters import accelerators
from scheduler.request_filters import availability_zone
from scheduler.request_filters import compute_status
from scheduler.request_filters import ephemeral_encryption
from scheduler.request_filters import handler
from scheduler.request_filters import image_metadata
from scheduler.request_filters import image_type
from scheduler.request_filters import isolated_aggregates
from scheduler.request_filters import packed_virtqueue
from scheduler.request_filters import routed_networks
from scheduler.request_filters import tenant_aggregate
from scheduler.request_filters import tpm_secret_security
from scheduler.request_filters import virtio_sound
from tests.fixtures import records
from tests.unit.placement import fakes

BASE = 'resources=DISK_GB:1,MEMORY_MB:512,VCPU:1'


class Facts:
    """Host facts with ``aggregates()`` only, as request filters read."""

    def __init__(self, *aggregates):
        self._aggregates = {
            i: types.SimpleNamespace(id=i, name='agg%d' % i, **a)
            for i, a in enumerate(aggregates)}

    def aggregates(self):
        return self._aggregates

    def aggregates_unknown(self):
        return None


def agg(uuid, hosts=('h1',), **metadata):
    return {'uuid': uuid, 'hosts': list(hosts), 'metadata': metadata}


@pytest.fixture
def conf():
    return fakes.new_conf()


def spec(xs=None, img=None, disk_format=None, **kwargs):
    flavor = rs.Flavor(vcpus=1, memory_mb=512, root_gb=1, name='f',
                       extra_specs=xs or {})
    image = rs.Image(disk_format=disk_format, properties=img or {})
    kwargs.setdefault('project_id', 'p1')
    return rs.RequestSpec(flavor=flavor, image=image, **kwargs)


def run(flt, request, facts=None):
    query = translation.build_query(request, None)
    changed = flt.apply(request, query, facts)
    return changed, query.to_query_string()


def test_every_filter_is_installed_and_loaded_by_the_handler(conf):
    names = sorted(f.name for f in handler.RequestFilterHandler(conf).filters)
    assert names == [
        'AcceleratorsFilter', 'AvailabilityZoneFilter', 'ComputeStatusFilter',
        'EphemeralEncryptionFilter', 'ImageMetadataFilter',
        'ImageTypeFilter', 'IsolatedAggregatesFilter',
        'PackedVirtqueueFilter', 'RoutedNetworksFilter',
        'TenantAggregateFilter',
        'TpmSecretSecurityFilter', 'VirtioSoundFilter']


@pytest.mark.parametrize('cls,option', [
    (tenant_aggregate.TenantAggregateFilter,
     'limit_tenants_to_placement_aggregate'),
    (image_type.ImageTypeFilter, 'query_placement_for_image_type_support'),
    (isolated_aggregates.IsolatedAggregatesFilter,
     'enable_isolated_aggregate_filtering'),
    (image_metadata.ImageMetadataFilter, 'image_metadata_prefilter'),
    (routed_networks.RoutedNetworksFilter,
     'query_placement_for_routed_network_aggregates'),
])
def test_switched_by_novas_option_off_by_default(conf, cls, option):
    flt = cls(conf)
    assert not flt.enabled()
    conf.set_override(option, True, group='scheduler')
    assert flt.enabled()


def test_handler_runs_only_enabled_filters(conf):
    flts = handler.RequestFilterHandler(conf)
    request = spec(disk_format='qcow2')
    query = translation.build_query(request, None)
    assert flts.run(request, query, Facts()) == ['ComputeStatusFilter']
    conf.set_override('query_placement_for_image_type_support', True,
                      group='scheduler')
    assert sorted(flts.run(request, query, Facts())) == [
        'ComputeStatusFilter', 'ImageTypeFilter']
    assert query.root_required == {'COMPUTE_IMAGE_TYPE_QCOW2'}


def test_tenant_confined_to_its_aggregates(conf):
    facts = Facts(agg('u1', filter_tenant_id='p1'),
                  agg('u2', filter_tenant_id2='p1'),
                  agg('u3', filter_tenant_id='p2'))
    flt = tenant_aggregate.TenantAggregateFilter(conf)
    assert run(flt, spec(), facts) == (True, BASE + '&member_of=in:u1,u2')


def test_tenant_without_aggregate_is_free_unless_required(conf):
    flt = tenant_aggregate.TenantAggregateFilter(conf)
    facts = Facts(agg('u3', filter_tenant_id='p2'))
    assert run(flt, spec(), facts) == (False, BASE)
    conf.set_override('placement_aggregate_required_for_tenants', True,
                      group='scheduler')
    with pytest.raises(exception.NoValidHost) as ctx:
        run(flt, spec(), facts)
    assert ('request filter TenantAggregateFilter: no aggregate has '
            'filter_tenant_id* metadata for project p1') in ctx.value.reason


@pytest.mark.parametrize('cls', [
    tenant_aggregate.TenantAggregateFilter,
    availability_zone.AvailabilityZoneFilter,
    isolated_aggregates.IsolatedAggregatesFilter,
])
def test_aggregate_filters_fail_closed_without_host_facts(conf, cls):
    with pytest.raises(exception.NoValidHost) as ctx:
        run(cls(conf), spec(availability_zone='az1'), None)
    assert ctx.value.reason == (
        'request filter %s: needs aggregate metadata, and this scheduler '
        'has no host facts' % cls.__name__)


def test_aggregate_without_uuid_fails_closed(conf):
    facts = Facts(agg(None, availability_zone='az1'))
    with pytest.raises(exception.NoValidHost) as ctx:
        run(availability_zone.AvailabilityZoneFilter(conf),
            spec(availability_zone='az1'), facts)
    assert ('an aggregate of the availability zone az1 has no uuid'
            in ctx.value.reason)
    # Its name is the operator's to read, not the caller's.
    assert 'agg0' not in ctx.value.reason
    assert 'aggregate agg0 of the availability zone az1' in ctx.value.detail


def test_failing_host_facts_fail_closed(conf):
    class Broken:
        def aggregates(self):
            raise RuntimeError('source down')

    with pytest.raises(exception.NoValidHost) as ctx:
        run(availability_zone.AvailabilityZoneFilter(conf),
            spec(availability_zone='az1'), Broken())
    assert 'cannot read aggregate metadata: RuntimeError: source down' in (
        ctx.value.reason)


def test_a_failed_facts_source_fails_closed_a_stale_one_does_not(conf):
    from scheduler.host_facts import base as facts_base

    facts = Facts(agg('u1', availability_zone='az1'))
    flt = availability_zone.AvailabilityZoneFilter(conf)
    facts.health = lambda: [
        facts_base.Health('rpc', facts_base.OK, 1.0, 0),
        facts_base.Health('nova_db', facts_base.STALE, 90.0, 3, 'timeout')]
    assert run(flt, spec(availability_zone='az1'), facts)[0] is True
    facts.health = lambda: [
        facts_base.Health('nova_db', facts_base.FAILED, None, 3, 'timeout')]
    with pytest.raises(exception.NoValidHost) as ctx:
        run(flt, spec(availability_zone='az1'), facts)
    assert ctx.value.reason == (
        'request filter AvailabilityZoneFilter: cannot trust aggregate '
        'metadata: nova_db: failed, never loaded, 3 failure(s); last '
        'error: timeout')


def test_zone_becomes_member_of_its_aggregates(conf):
    facts = Facts(agg('u1', availability_zone='az1'),
                  agg('u2', availability_zone='az1'),
                  agg('u3', availability_zone='az2'))
    flt = availability_zone.AvailabilityZoneFilter(conf)
    assert run(flt, spec(availability_zone='az1'), facts) == (
        True, BASE + '&member_of=in:u1,u2')
    assert run(flt, spec(availability_zone='nova'), facts) == (False, BASE)
    assert run(flt, spec(), None) == (False, BASE)


def test_isolated_aggregates_forbidden_unless_trait_required(conf):
    facts = Facts(agg('u1', **{'trait:CUSTOM_WIN': 'required'}),
                  agg('u2', **{'trait:CUSTOM_WIN': 'required',
                               'trait:CUSTOM_GPU': 'required'}),
                  agg('u3', ssd='true'))
    flt = isolated_aggregates.IsolatedAggregatesFilter(conf)
    assert run(flt, spec(), facts) == (True, BASE + '&member_of=!in:u1,u2')
    assert run(flt, spec({'trait:CUSTOM_WIN': 'required'}), facts) == (
        True, BASE + '&required=CUSTOM_WIN&member_of=!in:u2')
    assert run(flt, spec(img={'traits_required': ['CUSTOM_WIN',
                                                  'CUSTOM_GPU']}),
               facts)[0] is False


def test_image_type_requires_disk_format_trait(conf):
    flt = image_type.ImageTypeFilter(conf)
    assert run(flt, spec(disk_format='raw')) == (
        True, BASE + '&root_required=COMPUTE_IMAGE_TYPE_RAW')
    assert run(flt, spec(is_bfv=True)) == (
        False, 'resources=MEMORY_MB:512,VCPU:1')


@pytest.mark.parametrize('disk_format,reason', [
    (None, 'request filter ImageTypeFilter: the image has no disk_format'),
    ('vdx', 'disk_format vdx has no trait (COMPUTE_IMAGE_TYPE_VDX is not '
     'in os-traits)'),
])
def test_image_type_refuses_unknown_format(conf, disk_format, reason):
    with pytest.raises(exception.NoValidHost) as ctx:
        run(image_type.ImageTypeFilter(conf), spec(disk_format=disk_format))
    assert reason in ctx.value.reason


def test_image_metadata_becomes_root_traits(conf):
    flt = image_metadata.ImageMetadataFilter(conf)
    assert run(flt, spec(img={'hw_disk_bus': 'virtio',
                              'hw_video_model': 'virtio',
                              'hw_architecture': 'x86_64'})) == (
        True, BASE + '&root_required=COMPUTE_GRAPHICS_MODEL_VIRTIO,'
        'COMPUTE_STORAGE_BUS_VIRTIO,HW_ARCH_X86_64')
    assert run(flt, spec()) == (False, BASE)


def test_image_metadata_refuses_a_value_without_trait(conf):
    with pytest.raises(exception.NoValidHost) as ctx:
        run(image_metadata.ImageMetadataFilter(conf),
            spec(img={'hw_disk_bus': 'floppy-ish'}))
    assert ('image property hw_disk_bus=floppy-ish has no trait '
            '(COMPUTE_STORAGE_BUS_FLOPPY_ISH is not in os-traits)') in (
        ctx.value.reason)


def test_compute_status_always_forbids_disabled_computes(conf):
    flt = compute_status.ComputeStatusFilter(conf)
    assert flt.enabled()
    assert run(flt, spec()) == (
        True, BASE + '&root_required=!COMPUTE_STATUS_DISABLED')


@pytest.mark.parametrize('cls,request_,expected', [
    (packed_virtqueue.PackedVirtqueueFilter,
     spec({'hw:virtio_packed_ring': 'true'}), 'COMPUTE_NET_VIRTIO_PACKED'),
    (packed_virtqueue.PackedVirtqueueFilter,
     spec(img={'hw_virtio_packed_ring': True}), 'COMPUTE_NET_VIRTIO_PACKED'),
    (ephemeral_encryption.EphemeralEncryptionFilter,
     spec({'hw:ephemeral_encryption': 'yes'}),
     'COMPUTE_EPHEMERAL_ENCRYPTION'),
    (ephemeral_encryption.EphemeralEncryptionFilter,
     spec(img={'hw_ephemeral_encryption': True,
               'hw_ephemeral_encryption_format': 'luks'}),
     'COMPUTE_EPHEMERAL_ENCRYPTION,COMPUTE_EPHEMERAL_ENCRYPTION_LUKS'),
    (virtio_sound.VirtioSoundFilter, spec({'hw:sound_model': 'virtio'}),
     'COMPUTE_SOUND_MODEL_VIRTIO'),
    (tpm_secret_security.TpmSecretSecurityFilter,
     spec({'hw:tpm_version': '2.0'}),
     'COMPUTE_SECURITY_TPM_SECRET_SECURITY_USER'),
    (tpm_secret_security.TpmSecretSecurityFilter,
     spec({'hw:tpm_version': '2.0', 'hw:tpm_secret_security': 'host'}),
     'COMPUTE_SECURITY_TPM_SECRET_SECURITY_HOST'),
    (accelerators.AcceleratorsFilter,
     spec({'accel:device_profile': 'dp1'}), 'COMPUTE_ACCELERATORS'),
])
def test_always_on_filters_require_root_trait_when_asked(conf, cls,
                                                         request_, expected):
    flt = cls(conf)
    assert flt.enabled()
    changed, query = run(flt, request_)
    assert changed is True
    assert query.endswith('&root_required=' + expected)
    assert run(flt, spec()) == (False, BASE)


def test_tpm_secret_security_refuses_unknown_value(conf):
    with pytest.raises(exception.NoValidHost) as ctx:
        run(tpm_secret_security.TpmSecretSecurityFilter(conf),
            spec({'hw:tpm_version': '2.0', 'hw:tpm_secret_security': 'x'}))
    assert 'hw:tpm_secret_security=x: must be one of' in ctx.value.reason


def test_packed_ring_conflict_between_flavor_and_image_is_refused(conf):
    with pytest.raises(exception.InvalidRequest) as ctx:
        run(packed_virtqueue.PackedVirtqueueFilter(conf),
            spec({'hw:virtio_packed_ring': 'true'},
                 img={'hw_virtio_packed_ring': False}))
    assert 'conflicts with image property hw_virtio_packed_ring' in (
        ctx.value.reason)


def test_routed_networks_fail_closed_when_switched_on(conf):
    flt = routed_networks.RoutedNetworksFilter(conf)
    assert not flt.enabled()
    nets = [rs.NetworkRequest(network_id='auto'),
            rs.NetworkRequest(network_id='net-1'),
            rs.NetworkRequest(network_id='net-2', port_id='port-1')]
    assert run(flt, spec(requested_networks=nets[:1])) == (False, BASE)
    with pytest.raises(exception.NoValidHost) as ctx:
        run(flt, spec(requested_networks=nets))
    assert ctx.value.reason == (
        'request filter RoutedNetworksFilter: needs the routed network '
        'segments of network net-1, port port-1 from Neutron, which this '
        'scheduler does not read; unset [scheduler] '
        'query_placement_for_routed_network_aggregates')


def test_a_zone_asked_before_any_aggregate_is_known_fails_closed(conf):
    # The default sources (rpc only), just started: no cast yet.
    facts = store.HostFactsStore(conf)
    flt = availability_zone.AvailabilityZoneFilter(conf)
    assert run(flt, spec(), facts)[0] is False
    with pytest.raises(exception.NoValidHost) as ctx:
        run(flt, spec(availability_zone='az1'), facts)
    assert ctx.value.reason.startswith(
        'request filter AvailabilityZoneFilter: availability zone '
        'membership unknown: no aggregate facts since start')
    assert '[host_facts] sources = nova_db' in ctx.value.reason
    facts.update_aggregates([records.aggregate(
        1, ['h1'], {'availability_zone': 'az1'}, uuid='u1')])
    assert run(flt, spec(availability_zone='az1'), facts) == (
        True, BASE + '&member_of=in:u1')


def test_tenant_confinement_needs_known_aggregates(conf):
    conf.set_override('limit_tenants_to_placement_aggregate', True,
                      'scheduler')
    with pytest.raises(exception.NoValidHost) as ctx:
        run(tenant_aggregate.TenantAggregateFilter(conf), spec(),
            store.HostFactsStore(conf))
    assert 'tenant aggregate membership unknown' in ctx.value.reason
