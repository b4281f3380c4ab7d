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

"""Moves a stock nova-conductor asks for, through Nova's own SchedulerAPI.

Each request is built as the conductor builds it for that move, and the
answer is checked in Placement: what the instance (or its migration)
holds after the call.
"""

import json

import pytest

from tests.nova_compat import layout


def _flavor(nova, name='compat.move', vcpus=1, memory_mb=512, root_gb=1):
    return nova.make_flavor(name, vcpus=vcpus, memory_mb=memory_mb,
                            root_gb=root_gb)


def _resources(flavor):
    return {'VCPU': flavor.vcpus, 'MEMORY_MB': flavor.memory_mb,
            'DISK_GB': flavor.root_gb}


def _select(scheduler_api, ctxt, spec, instance):
    """The one Selection of ``spec`` for ``instance``, no alternates."""
    [[selection]] = scheduler_api.select_destinations(
        ctxt, spec, [instance], return_objects=True,
        return_alternates=False)
    return selection


def _boot(nova, scheduler_api, ctxt, flavor, instance, **spec_fields):
    spec = nova.make_request_spec(ctxt, flavor, [instance])
    for name, value in spec_fields.items():
        setattr(spec, name, value)
    return spec, _select(scheduler_api, ctxt, spec, instance)


def _evacuating(nova, scheduler_api, ctxt, flavor, instance, hosts):
    """``(spec, source)``: ``instance`` booted, then to evacuate.

    As the conductor asks: the same instance, its host ignored, the
    instance still holding its source allocation.
    """
    spec, first = _boot(nova, scheduler_api, ctxt, flavor, instance)
    spec.ignore_hosts = [first.service_host]
    return spec, _by_uuid(hosts)[first.compute_node_uuid]


def _move_to_migration(placement_api, instance, migration):
    """What the conductor does first for a resize or cold migration."""
    held = layout.consumer_record(placement_api, instance)
    placement_api.post('/allocations', json={
        instance: {'allocations': {}, 'project_id': held['project_id'],
                   'user_id': held['user_id'],
                   'consumer_generation': held['consumer_generation']},
        migration: {'allocations': {rp: {'resources': a['resources']}
                                    for rp, a in held['allocations'].items()},
                    'project_id': held['project_id'],
                    'user_id': held['user_id'],
                    'consumer_generation': None}},
        headers={'OpenStack-API-Version': 'placement 1.28'})


def _by_uuid(hosts):
    return {h.uuid: h for h in hosts}


def test_non_forced_evacuate_claims_source_and_destination(
        nova, scheduler_api, ctxt, new_uuids, placement_api, hosts):
    flavor = _flavor(nova)
    [instance] = new_uuids(1)
    spec, source = _evacuating(nova, scheduler_api, ctxt, flavor, instance,
                               hosts)
    moved = _select(scheduler_api, ctxt, spec, instance)

    assert moved.compute_node_uuid != source.uuid
    assert layout.allocations_of(placement_api, instance) == {
        source.uuid: _resources(flavor),
        moved.compute_node_uuid: _resources(flavor)}


def test_an_evacuation_delivered_twice_adds_no_third_host(
        nova, scheduler_api, ctxt, new_uuids, placement_api, hosts):
    flavor = _flavor(nova)
    [instance] = new_uuids(1)
    spec, source = _evacuating(nova, scheduler_api, ctxt, flavor, instance,
                               hosts)

    # The same evacuation twice (a redelivered message, a retried call):
    # the destination the first claimed has less room now, so weighing
    # alone would send the second elsewhere, on top of both.
    answers = [_select(scheduler_api, ctxt, spec, instance)
               for _ in range(2)]

    assert answers[1].compute_node_uuid == answers[0].compute_node_uuid
    assert layout.allocations_of(placement_api, instance) == {
        source.uuid: _resources(flavor),
        answers[0].compute_node_uuid: _resources(flavor)}


def test_a_cold_migration_delivered_twice_holds_one_destination(
        nova, scheduler_api, ctxt, new_uuids, placement_api, hosts):
    flavor = _flavor(nova)
    instance, migration = new_uuids(2)
    spec, first = _boot(nova, scheduler_api, ctxt, flavor, instance)
    _move_to_migration(placement_api, instance, migration)
    # Without allow_resize_to_same_host, Nova's API ignores the source.
    spec.ignore_hosts = [first.service_host]

    answers = [_select(scheduler_api, ctxt, spec, instance)
               for _ in range(2)]

    assert answers[1].compute_node_uuid == answers[0].compute_node_uuid
    assert answers[0].compute_node_uuid != first.compute_node_uuid
    assert layout.allocations_of(placement_api, instance) == {
        answers[0].compute_node_uuid: _resources(flavor)}
    assert layout.allocations_of(placement_api, migration) == {
        first.compute_node_uuid: _resources(flavor)}


@pytest.mark.parametrize('named_by', ['forced', 'requested_destination'])
def test_rebuild_check_on_a_full_host_claims_nothing(
        nova, scheduler_api, ctxt, new_uuids, placement_api, hosts,
        named_by):
    big = _flavor(nova, 'compat.whole-host', vcpus=4, memory_mb=8192,
                  root_gb=200)
    [instance] = new_uuids(1)
    spec, first = _boot(nova, scheduler_api, ctxt, big, instance)
    before = layout.total_usage(placement_api, hosts)

    # The conductor's rebuild with a new image: the current host, as a
    # check; there is no room for a second copy there. Nova's API names
    # it in force_hosts/force_nodes.
    if named_by == 'forced':
        spec.force_hosts = [first.service_host]
        spec.force_nodes = [first.nodename]
    else:
        spec.requested_destination = nova.objects.Destination(
            host=first.service_host, node=first.nodename)
    spec.scheduler_hints = {'_nova_check_type': ['rebuild']}
    checked = _select(scheduler_api, ctxt, spec, instance)

    assert type(checked) is nova.Selection
    assert checked.compute_node_uuid == first.compute_node_uuid
    assert checked.allocation_request is None
    assert layout.total_usage(placement_api, hosts) == before
    assert layout.allocations_of(placement_api, instance) == {
        first.compute_node_uuid: _resources(big)}


def test_same_host_resize_claims_the_new_flavor_beside_the_old(
        nova, scheduler_api, ctxt, new_uuids, placement_api, hosts):
    old, new = _flavor(nova, 'compat.old'), _flavor(nova, 'compat.new',
                                                    vcpus=2)
    instance, migration = new_uuids(2)
    spec, first = _boot(nova, scheduler_api, ctxt, old, instance)
    # The conductor moves the instance's allocation to the migration, then
    # asks for the new flavor; allow_resize_to_same_host leaves the
    # source host in (a cold migration to a host names it).
    _move_to_migration(placement_api, instance, migration)
    spec.flavor = new
    spec.requested_destination = nova.objects.Destination(
        host=first.service_host, node=first.nodename)

    resized = _select(scheduler_api, ctxt, spec, instance)

    assert resized.compute_node_uuid == first.compute_node_uuid
    assert layout.allocations_of(placement_api, migration) == {
        first.compute_node_uuid: _resources(old)}
    assert layout.allocations_of(placement_api, instance) == {
        first.compute_node_uuid: _resources(new)}


def test_move_stays_in_its_cell_unless_allowed_to_cross(
        nova, scheduler_api, ctxt, new_uuids, placement_api):
    flavor = _flavor(nova)
    [instance] = new_uuids(1)
    other_cell = nova.objects.CellMapping(
        uuid='0badce11-0000-4000-8000-000000000002', name='cell2')
    spec = nova.make_request_spec(ctxt, flavor, [instance])
    spec.requested_destination = nova.objects.Destination(cell=other_cell)

    with pytest.raises(nova.NoValidHost) as ctx:
        _select(scheduler_api, ctxt, spec, instance)
    assert 'requested_destination cell' in str(ctx.value)
    assert layout.allocations_of(placement_api, instance) == {}

    spec.requested_destination.allow_cross_cell_move = True
    selection = _select(scheduler_api, ctxt, spec, instance)
    assert selection.cell_uuid == layout.CELL_UUID
    assert json.loads(selection.allocation_request)['allocations']
