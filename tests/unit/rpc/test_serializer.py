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

"""The serializer: Nova's context dict in, Selection primitives out."""

import types

from oslo_context import context as oslo_context
from oslo_serialization import jsonutils
from oslo_versionedobjects import base as ovo_base
from oslo_versionedobjects import fields as ovo_fields

from scheduler.objects import numa_pci
from scheduler.objects import selection
from scheduler.rpc import serializer

HOST_UUID = '0b6b1a3e-2f2d-4e2e-8a8a-333333333333'
CELL_UUID = '0b6b1a3e-2f2d-4e2e-8a8a-444444444444'

# The keys of Nova 34's RequestContext.to_dict().
NOVA_CONTEXT = {
    'auth_token': 'secret-token', 'domain': None,
    'global_request_id': 'req-global', 'is_admin': True,
    'is_admin_project': True, 'project': 'p', 'project_domain': None,
    'project_id': 'p', 'project_name': 'demo', 'quota_class': None,
    'read_deleted': 'no', 'read_only': False, 'remote_address': '10.0.0.1',
    'request_id': 'req-1', 'resource_uuid': None, 'roles': ['admin'],
    'service_catalog': [{'type': 'placement', 'endpoints': [
        {'url': 'http://user:pw@placement'}]}],
    'show_deleted': False, 'system_scope': None,
    'timestamp': '2026-01-01T00:00:00.000000', 'user': 'u',
    'user_domain': None, 'user_id': 'u', 'user_identity': 'u p - - -',
    'user_name': 'admin',
}


def _selection():
    host = types.SimpleNamespace(uuid=HOST_UUID, host='h1', nodename='n1',
                                 cell_uuid=CELL_UUID,
                                 availability_zone='az1')
    return selection.Selection.from_host(
        host, {'allocations': {HOST_UUID: {'resources': {'VCPU': 1}}}},
        '1.36')


def test_nova_context_keeps_request_ids_and_drops_credentials():
    ctxt = serializer.SchedulerSerializer().deserialize_context(NOVA_CONTEXT)

    assert isinstance(ctxt, oslo_context.RequestContext)
    assert ctxt.request_id == 'req-1'
    assert ctxt.global_request_id == 'req-global'
    assert (ctxt.user_id, ctxt.project_id) == ('u', 'p')
    assert ctxt.roles == ['admin']
    assert ctxt.auth_token is None
    kept = repr(ctxt.to_dict()) + repr(vars(ctxt))
    assert 'secret-token' not in kept
    assert 'user:pw' not in kept


def test_unreadable_context_becomes_an_empty_one():
    ctxt = serializer.SchedulerSerializer().deserialize_context(['junk'])

    assert isinstance(ctxt, oslo_context.RequestContext)
    assert ctxt.user_id is None


def test_selection_is_sent_as_nova_selection_1_1_primitive():
    sent = serializer.SchedulerSerializer().serialize_entity(
        None, [[_selection()]])

    primitive = sent[0][0]
    assert primitive['nova_object.name'] == 'Selection'
    assert primitive['nova_object.namespace'] == 'nova'
    assert primitive['nova_object.version'] == '1.1'
    data = primitive['nova_object.data']
    assert data['service_host'] == 'h1'
    assert data['compute_node_uuid'] == HOST_UUID
    assert isinstance(data['allocation_request'], str)
    assert data['limits']['nova_object.name'] == 'SchedulerLimits'


def test_client_serializer_rebuilds_selections_and_server_does_not():
    sent = serializer.to_primitive([[_selection()], {'host': 'h1'}])

    rebuilt = serializer.SchedulerSerializer(
        rebuild_selections=True).deserialize_entity(None, sent)
    untouched = serializer.SchedulerSerializer().deserialize_entity(
        None, sent)

    assert isinstance(rebuilt[0][0], selection.Selection)
    assert rebuilt[0][0].nodename == 'n1'
    assert rebuilt[1] == {'host': 'h1'}
    assert untouched is sent


def test_numa_limits_go_as_nova_s_numa_topology_limits_1_1():
    host = types.SimpleNamespace(uuid=HOST_UUID, host='h1', nodename='n1',
                                 cell_uuid=CELL_UUID, availability_zone=None)
    metadata = numa_pci.NetworkMetadata(physnets=frozenset(['physnet1']))
    with_network = selection.Selection.from_host(
        host, None, None, limits={'numa_topology': numa_pci.NUMATopologyLimits(
            cpu_allocation_ratio=4.0, ram_allocation_ratio=1.0,
            network_metadata=metadata)})
    without = selection.Selection.from_host(
        host, None, None, limits={'numa_topology': numa_pci.NUMATopologyLimits(
            cpu_allocation_ratio=2.0, ram_allocation_ratio=1.0)})

    sent = jsonutils.loads(jsonutils.dumps(
        serializer.SchedulerSerializer().serialize_entity(
            None, [with_network, without])))

    limits = [s['nova_object.data']['limits']['nova_object.data']
              ['numa_topology'] for s in sent]
    assert [lim['nova_object.name'] for lim in limits] == [
        'NUMATopologyLimits'] * 2
    assert limits[0]['nova_object.version'] == '1.1'
    data = limits[0]['nova_object.data']
    assert (data['cpu_allocation_ratio'], data['ram_allocation_ratio']) == (
        4.0, 1.0)
    network = data['network_metadata']
    assert (network['nova_object.name'], network['nova_object.version'],
            network['nova_object.namespace']) == ('NetworkMetadata', '1.0',
                                                  'nova')
    assert network['nova_object.data'] == {'physnets': ['physnet1'],
                                           'tunneled': False}
    # As Nova's filter: no network_metadata unless the request has one.
    assert 'network_metadata' not in limits[1]['nova_object.data']


def _same(fast, slow):
    """Equal primitives; ``changes`` compared as sets (ovo's are a set's)."""
    if isinstance(fast, dict) and isinstance(slow, dict):
        assert set(fast) == set(slow)
        for key in fast:
            if key == 'nova_object.changes':
                assert sorted(fast[key]) == sorted(slow[key])
                assert len(set(fast[key])) == len(fast[key])
            else:
                _same(fast[key], slow[key])
    else:
        assert type(fast) is type(slow)
        assert fast == slow


def _selections():
    host = types.SimpleNamespace(uuid=HOST_UUID, host='h1', nodename='n1',
                                 cell_uuid=CELL_UUID, availability_zone=None)
    metadata = numa_pci.NetworkMetadata(
        physnets=frozenset(['physnet1', 'physnet2']), tunneled=True)
    yield _selection()
    yield selection.Selection.from_host(host, None, None)
    yield selection.Selection.from_host(
        host, {'allocations': {HOST_UUID: {'resources': {'VCPU': 2}}},
               'mappings': {'': [HOST_UUID]}}, '1.36',
        limits={'numa_topology': numa_pci.NUMATopologyLimits(
            cpu_allocation_ratio=4.0, ram_allocation_ratio=1.5,
            network_metadata=metadata)})
    yield selection.Selection.from_host(
        host, None, None, limits={'numa_topology': numa_pci.NUMATopologyLimits(
            cpu_allocation_ratio=2.0, ram_allocation_ratio=1.0)})
    unset = selection.Selection(service_host='h2', nodename='n2')
    yield unset
    after_reset = _selection()
    after_reset.obj_reset_changes(recursive=True)
    yield after_reset
    partly = _selection()
    partly.obj_reset_changes(recursive=True)
    partly.limits.vcpu = 4
    yield partly


def test_fast_primitive_is_obj_to_primitive():
    for sel in _selections():
        fast = serializer.to_primitive([[sel]])[0][0]
        _same(fast, sel.obj_to_primitive())
        # The same JSON on the wire, read back as the same object.
        wire = jsonutils.loads(jsonutils.dumps(fast))
        _same(wire, jsonutils.loads(jsonutils.dumps(sel.obj_to_primitive())))
        _same(selection.Selection.obj_from_primitive(wire).obj_to_primitive(),
              sel.obj_to_primitive())


def test_an_object_with_other_fields_goes_through_ovo():
    class Odd(ovo_base.VersionedObject):
        fields = {'when': ovo_fields.DateTimeField(nullable=True),
                  'name': ovo_fields.StringField()}

    odd = Odd(when=None, name='x')
    assert serializer.to_primitive(odd) == odd.obj_to_primitive()
