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

"""Our allocation candidates query against the one Nova 34 builds itself.

For each case a real Nova ``RequestSpec`` is made with Nova's objects.
Nova's query: its request filters (those that need no database run as
they are; the aggregate lookups of the tenant, availability zone and
isolated aggregate filters are given the case's aggregates), then
``nova.scheduler.utils.resources_from_request_spec(...)`` (host manager
lookups answered from the case's nodes) and ``to_querystring()``. Ours:
the same spec as the primitive Nova sends, through ``PlacementAdapter.
query`` in a child process (``query_side.py``). The two must ask
Placement the same parameters; how the string is laid out (order,
percent-encoding) may differ (doc/source/query-differences.rst).
"""

import copy
import json
import os
import subprocess
import sys
import types
from unittest import mock
from urllib import parse

import nova.conf
from nova import context as nova_context
from nova import objects
from nova.objects import base as objects_base
from nova.scheduler import request_filter
from nova.scheduler import utils as scheduler_utils
from oslo_serialization import jsonutils
import pytest

objects.register_all()
CONF = nova.conf.CONF
HERE = os.path.dirname(os.path.abspath(__file__))

NODE_UUID = '4d9b0ec1-96a6-4ab4-9c2c-8b1e9c0d2a11'
AZ1 = '00000000-0000-0000-0000-00000000a001'
GOLD = '00000000-0000-0000-0000-00000000a005'
WIN = '00000000-0000-0000-0000-00000000a004'
AGGREGATES = [
    {'uuid': AZ1, 'name': 'az1', 'hosts': ['cn1'],
     'metadata': {'availability_zone': 'az1'}},
    {'uuid': GOLD, 'name': 'gold', 'hosts': ['cn5'],
     'metadata': {'filter_tenant_id': 'p-gold'}},
    {'uuid': WIN, 'name': 'win', 'hosts': ['cn4'],
     'metadata': {'trait:CUSTOM_WINDOWS': 'required'}},
]
UEFI_Q35 = {'hw_firmware_type': 'uefi', 'hw_machine_type': 'q35'}

# Nova's request filters that need no database, and those that read
# aggregates (their lookups are answered from AGGREGATES).
NOVA_FILTERS = [
    request_filter.require_tenant_aggregate,
    request_filter.map_az_to_placement_aggregate,
    request_filter.require_image_type_support,
    request_filter.compute_status_filter,
    request_filter.isolate_aggregates,
    request_filter.transform_image_metadata,
    request_filter.accelerators_filter,
    request_filter.packed_virtqueue_filter,
    request_filter.ephemeral_encryption_filter,
    request_filter.virtio_sound_filter,
    request_filter.tpm_secret_security_filter,
]


def _flavor(xs=None, vcpus=2, memory_mb=2048, root_gb=20, ephemeral_gb=0,
            swap=0):
    return objects.Flavor(
        id=1, flavorid='f1', name='m1.test', vcpus=vcpus,
        memory_mb=memory_mb, root_gb=root_gb, ephemeral_gb=ephemeral_gb,
        swap=swap, rxtx_factor=1.0, vcpu_weight=0, disabled=False,
        is_public=True, extra_specs=dict(xs or {}), description=None)


def _spec(xs=None, img=None, disk_format='qcow2', flavor=None, **fields):
    image = objects.ImageMeta.from_dict({
        'id': '6d4a0cb8-57a1-4e43-a8b5-f8c3e2a0e1a1', 'name': 'img',
        'disk_format': disk_format, 'container_format': 'bare',
        'min_ram': 0, 'min_disk': 0, 'size': 1, 'status': 'active',
        'properties': dict(img or {})})
    fields.setdefault('project_id', 'p1')
    fields.setdefault('user_id', 'u1')
    fields.setdefault('is_bfv', False)
    fields.setdefault('scheduler_hints', {})
    fields.setdefault('requested_resources', [])
    fields.setdefault('request_level_params', objects.RequestLevelParams())
    fields.setdefault('num_instances', 1)
    fields.setdefault('availability_zone', None)
    fields.setdefault('force_hosts', [])
    fields.setdefault('force_nodes', [])
    fields.setdefault('requested_destination', None)
    return objects.RequestSpec(flavor=flavor or _flavor(xs), image=image,
                               **fields)


def _port(requester_id, resources, traits=()):
    return objects.RequestGroup(
        requester_id=requester_id, resources=dict(resources),
        required_traits=set(traits), forbidden_traits=set(),
        aggregates=[], forbidden_aggregates=set(), use_same_provider=True,
        in_tree=None, provider_uuids=[])


ON = {'limit_tenants_to_placement_aggregate': True,
      'query_placement_for_image_type_support': True,
      'enable_isolated_aggregate_filtering': True,
      'image_metadata_prefilter': True}

# (what it covers, Nova RequestSpec, [scheduler] overrides of both sides)
CASES = [
    ('plain flavor', lambda: _spec(), {}),
    ('ephemeral and swap', lambda: _spec(flavor=_flavor(
        ephemeral_gb=5, swap=1500)), {}),
    ('boot from volume', lambda: _spec(is_bfv=True), {}),
    ('ironic custom class with zeroed standard ones', lambda: _spec({
        'resources:CUSTOM_BAREMETAL_GOLD': '1', 'resources:VCPU': '0',
        'resources:MEMORY_MB': '0', 'resources:DISK_GB': '0'}), {}),
    ('resource override and traits', lambda: _spec({
        'resources:VCPU': '4', 'trait:HW_CPU_X86_AVX2': 'required',
        'trait:CUSTOM_SLOW': 'forbidden'}), {}),
    ('numbered groups with isolate', lambda: _spec({
        'resources1:SRIOV_NET_VF': '1', 'trait1:CUSTOM_PHYSNET_A':
        'required', 'resources2:SRIOV_NET_VF': '1',
        'group_policy': 'isolate'}), {}),
    ('string suffixes and same_subtree', lambda: _spec(
        {'resources_A:VGPU': '1', 'resources_B:SRIOV_NET_VF': '1',
         'group_policy': 'none'},
        request_level_params=objects.RequestLevelParams(
            root_required={'COMPUTE_NODE'}, root_forbidden=set(),
            same_subtree=[['_B', '_A']])), {}),
    ('dedicated CPUs, isolated threads, emulator thread', lambda: _spec({
        'hw:cpu_policy': 'dedicated', 'hw:cpu_thread_policy': 'isolate',
        'hw:emulator_threads_policy': 'isolate'}), {}),
    ('mixed CPUs by dedicated mask', lambda: _spec(flavor=_flavor(
        {'hw:cpu_policy': 'mixed', 'hw:cpu_dedicated_mask': '^0'},
        vcpus=4)), {}),
    ('mixed CPUs by realtime mask, ^ mask with inclusions', lambda: _spec(
        flavor=_flavor({'hw:cpu_policy': 'mixed', 'hw:cpu_realtime': 'yes',
                        'hw:cpu_realtime_mask': '^0-1,1'}, vcpus=4)), {}),
    ('thread policy on shared CPUs and an idle emulator policy',
     lambda: _spec({'hw:cpu_thread_policy': 'require',
                    'hw:emulator_threads_policy': 'isolate'}), {}),
    ('flavor memory encryption, image vTPM and PCI NUMA', lambda: _spec(
        {'hw:mem_encryption': 'True'},
        img=dict(UEFI_Q35, hw_tpm_version='2.0', hw_tpm_model='tpm-crb',
                 hw_pci_numa_affinity_policy='socket')), {}),
    ('stateless firmware and emulated address space', lambda: _spec(
        {'hw:maxphysaddr_mode': 'emulate', 'hw:maxphysaddr_bits': '42'},
        img=dict(UEFI_Q35, hw_firmware_stateless=True)), {}),
    ('port with forbidden traits and aggregates, forbidden aggregates',
     lambda: _spec(
         requested_resources=[objects.RequestGroup(
             requester_id='port-9', resources={'SRIOV_NET_VF': 1},
             required_traits={'CUSTOM_PHYSNET_X'},
             forbidden_traits={'CUSTOM_SLOW'}, aggregates=[['a2', 'a1']],
             forbidden_aggregates=set(), use_same_provider=True,
             in_tree=None, provider_uuids=[])],
         requested_destination=objects.Destination(
             forbidden_aggregates={'a9', 'a8'})), {}),
    ('boot from volume with swap only', lambda: _spec(
        flavor=_flavor(root_gb=40, swap=512), is_bfv=True), {}),
    ('image traits and image CPU policy', lambda: _spec(img={
        'traits_required': ['CUSTOM_IMG'], 'hw_cpu_policy': 'dedicated',
        'hw_cpu_thread_policy': 'require'}), {}),
    ('memory encryption from the image', lambda: _spec(img=dict(
        UEFI_Q35, hw_mem_encryption=True)), {}),
    ('vTPM 2.0 CRB with host secret security', lambda: _spec({
        'hw:tpm_version': '2.0', 'hw:tpm_model': 'tpm-crb',
        'hw:tpm_secret_security': 'host'}), {}),
    ('persistent memory', lambda: _spec({'hw:pmem': '4GB,4GB,SMALL'}), {}),
    ('secure boot, maxphysaddr, PCI NUMA socket', lambda: _spec(
        {'hw:maxphysaddr_mode': 'passthrough',
         'hw:pci_numa_affinity_policy': 'socket'},
        img=dict(UEFI_Q35, os_secure_boot='required')), {}),
    ('two ports default group_policy to none', lambda: _spec(
        requested_resources=[
            _port('port-1', {'NET_BW_EGR_KILOBIT_PER_SEC': 1000},
                  ['CUSTOM_PHYSNET_NET1']),
            _port('port-2', {'NET_BW_IGR_KILOBIT_PER_SEC': 500})]), {}),
    ('requested node and aggregates', lambda: _spec(
        requested_destination=objects.Destination(
            host='cn1', node='cn1', aggregates=['%s,%s' % (AZ1, GOLD)])),
     {}),
    ('affinity hint asks every candidate', lambda: _spec(
        scheduler_hints={'group': ['g1']}), {}),
    ('zone, tenant and isolated aggregates', lambda: _spec(
        availability_zone='az1', project_id='p-gold'), ON),
    ('isolated aggregate the image asks for', lambda: _spec(
        img={'traits_required': ['CUSTOM_WINDOWS']}), ON),
    ('image type and image metadata traits', lambda: _spec(
        img={'hw_disk_bus': 'virtio', 'hw_video_model': 'qxl',
             'hw_architecture': 'x86_64'}, disk_format='raw'), ON),
    ('packed ring, virtio sound, ephemeral encryption, accelerators',
     lambda: _spec({'hw:virtio_packed_ring': 'true',
                    'hw:ephemeral_encryption': 'true',
                    'accel:device_profile': 'dp1'},
                   img={'hw_sound_model': 'virtio',
                        'hw_ephemeral_encryption_format': 'luks'}), {}),
]


def _aggregate_objects():
    return [objects.Aggregate(id=i, uuid=a['uuid'], name=a['name'],
                              hosts=a['hosts'], metadata=a['metadata'])
            for i, a in enumerate(AGGREGATES)]


def _by_metadata(ctxt, key=None, value=None):
    return [a for a in _aggregate_objects()
            if any((key is None or k == key) and
                   (value is None or v == value)
                   for k, v in a.metadata.items())]


def _non_matching(ctxt, keys, key_prefix, value):
    return [a for a in _aggregate_objects()
            if any(k.startswith(key_prefix) and v == value and k not in keys
                   for k, v in a.metadata.items())]


class _HostManager:
    def get_compute_nodes_by_host_or_node(self, ctxt, host, node,
                                          cell=None):
        if node == 'cn1' or (node is None and host == 'cn1'):
            return [types.SimpleNamespace(uuid=NODE_UUID, host='cn1',
                                          hypervisor_hostname='cn1')]
        return []


def _nova_query(spec, overrides):
    ctxt = nova_context.get_admin_context()
    for name, value in overrides.items():
        CONF.set_override(name, value, group='scheduler')
    try:
        with mock.patch.object(objects.AggregateList, 'get_by_metadata',
                               side_effect=_by_metadata), \
                mock.patch.object(objects.AggregateList,
                                  'get_non_matching_by_metadata_keys',
                                  side_effect=_non_matching):
            for flt in NOVA_FILTERS:
                flt(ctxt, spec)
        request = scheduler_utils.resources_from_request_spec(
            ctxt, spec, _HostManager())
        return request.to_querystring()
    finally:
        for name in overrides:
            CONF.clear_override(name, group='scheduler')


def _ours(cases):
    payload = [{'spec': jsonutils.to_primitive(spec.obj_to_primitive()),
                'aggregates': AGGREGATES, 'nodes': {'cn1': NODE_UUID},
                'scheduler': overrides}
               for spec, overrides in cases]
    out = subprocess.run(
        [sys.executable, os.path.join(HERE, 'query_side.py')],
        input=json.dumps(payload), capture_output=True, text=True,
        timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout)


def _params(query_string):
    """The parameters asked, whatever their order and encoding."""
    return sorted(parse.parse_qsl(query_string, keep_blank_values=True))


@pytest.fixture(scope='module')
def results():
    built = [(make(), overrides) for _name, make, overrides in CASES]
    # Our side reads the spec as Nova sends it, before Nova's filters
    # change it.
    ours = _ours(built)
    nova = [_nova_query(spec, overrides) for spec, overrides in built]
    return {name: (mine, theirs)
            for (name, _m, _o), mine, theirs in zip(CASES, ours, nova)}


def test_there_are_at_least_fifteen_varied_cases():
    assert len(CASES) >= 15


@pytest.mark.parametrize('name', [c[0] for c in CASES])
def test_we_ask_placement_what_nova_asks(results, name):
    mine, theirs = results[name]
    assert 'query' in mine, mine
    assert _params(mine['query']) == _params(theirs), (mine['query'],
                                                       theirs)


# The deliberate differences of doc/source/query-differences.rst:
# (what differs, Nova RequestSpec, what we answer, what Nova asks).
DIFFERENT = [
    ('two flavor groups without group_policy are refused',
     lambda: _spec({'resources1:VGPU': '1', 'resources2:VGPU': '1'}),
     {'refused': 'invalid request: extra spec group_policy is missing: the '
                 'flavor defines request groups 1, 2; set group_policy to '
                 'none or isolate'},
     'resources1=VGPU%3A1'),
    ('a malformed trait value is refused, not dropped',
     lambda: _spec({'trait:CUSTOM_GOLD': 'yes'}),
     {'refused': 'invalid request: extra spec trait:CUSTOM_GOLD=yes: must '
                 'be one of required, forbidden'},
     'resources=DISK_GB%3A20%2CMEMORY_MB%3A2048%2CVCPU%3A2'),
    ('a host without node lifts the limit instead of a database lookup',
     lambda: _spec(force_hosts=['cn1']),
     {'query': 'resources=DISK_GB:20,MEMORY_MB:2048,VCPU:2'
               '&root_required=!COMPUTE_STATUS_DISABLED'},
     'in_tree=' + NODE_UUID),
]


@pytest.mark.parametrize('name,make,ours,nova_asks', DIFFERENT,
                         ids=[d[0] for d in DIFFERENT])
def test_documented_differences_from_nova(name, make, ours, nova_asks):
    spec = make()
    (mine,) = _ours([(spec, {})])
    assert mine == ours
    assert nova_asks in _nova_query(spec, {})


# A conductor capped at API 4.0 sends the legacy dicts; Nova's scheduler
# would rebuild a RequestSpec with RequestSpec.from_primitives.
LEGACY = [
    ('legacy dicts: flavor traits and pinning', lambda: _spec(
        {'trait:HW_CPU_X86_AVX2': 'required', 'hw:cpu_policy': 'dedicated',
         'resources1:VGPU': '1'})),
    ('legacy dicts: image traits and thread policy', lambda: _spec(
        img={'traits_required': ['CUSTOM_IMG'],
             'hw_cpu_thread_policy': 'isolate'})),
    ('legacy dicts: affinity group hint', lambda: _spec(
        scheduler_hints={'group': ['g1'], 'same_host': ['i1']})),
]


def _legacy_wire(spec):
    spec.instance_uuid = '9f0f3b6e-2c4c-4f1e-8a55-3d1c2b4a5e60'
    ctxt = nova_context.get_admin_context()
    serializer = objects_base.NovaObjectSerializer()
    dicts = (spec.to_legacy_request_spec_dict(),
             spec.to_legacy_filter_properties_dict())
    return [jsonutils.to_primitive(serializer.serialize_entity(ctxt, d),
                                   convert_instances=True) for d in dicts]


@pytest.mark.parametrize('name,make', LEGACY, ids=[c[0] for c in LEGACY])
def test_legacy_dicts_ask_what_nova_asks(name, make):
    spec = make()
    wire = _legacy_wire(spec)
    ctxt = nova_context.get_admin_context()
    serializer = objects_base.NovaObjectSerializer()
    rebuilt = objects.RequestSpec.from_primitives(ctxt, *[
        serializer.deserialize_entity(ctxt, d) for d in copy.deepcopy(wire)])
    out = subprocess.run(
        [sys.executable, os.path.join(HERE, 'query_side.py')],
        input=json.dumps([{'legacy': wire}]), capture_output=True,
        text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    (mine,) = json.loads(out.stdout)
    assert 'query' in mine, mine
    assert _params(mine['query']) == _params(_nova_query(rebuilt, {}))
