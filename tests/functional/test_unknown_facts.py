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

"""A service that has just started knows no aggregate and no instance.

Each test starts scheduler-server with the casts as its only host-facts
source (what it knows until Nova casts), asks for a placement whose
answer depends on a fact not heard yet and gets a NoValidHost naming the
fact and where it would come from; then Nova's casts arrive and the same
request lands where the facts say.
"""

import time
import uuid

import pytest

from scheduler import exception
from scheduler.objects import request_spec as rs
from scheduler.placement import client as placement_client
from scheduler.sim import cloud
from tests.fixtures import cloud_hosts
from tests.fixtures import placement_writes
from tests.fixtures import records
from tests.functional import helpers
from tests.unit.placement import fakes as placement_fakes

HOSTS = ('facts-01', 'facts-02', 'facts-03')
# Casts are fanned out: the service may not have applied one yet.
CAST_WAIT = 20


@pytest.fixture
def hosts(placement):
    made = cloud_hosts.make_hosts(len(HOSTS), prefix='facts')
    cloud.create_hosts(placement.endpoint, made)
    return {h.name: h.uuid for h in made}


def _aggregate_arrives(client, placement, hosts, names, metadata):
    """An aggregate of ``names``: in Placement, then cast as Nova does."""
    aggregate = str(uuid.uuid4())
    writer = placement_client.PlacementClient(
        placement_fakes.make_conf(placement.endpoint))
    for name in names:
        placement_writes.set_aggregates(writer, hosts[name], [aggregate])
    client.update_aggregates(helpers.context(), [records.aggregate(
        id=1, uuid=aggregate, name='agg', hosts=names,
        metadata=metadata)])


def _refusal(client, spec):
    with pytest.raises(exception.NoValidHost) as caught:
        client.select_destinations(helpers.context(), spec,
                                   [str(uuid.uuid4())], return_objects=True)
    return caught.value.reason


def _placed_once_facts_arrive(client, spec):
    """The host chosen once the casts were applied (retried meanwhile)."""
    deadline = time.monotonic() + CAST_WAIT
    while True:
        try:
            [selections] = client.select_destinations(
                helpers.context(), spec, [str(uuid.uuid4())],
                return_objects=True)
            return selections[0].service_host
        except exception.NoValidHost:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _spec(**fields):
    spec = helpers.spec()
    for name, value in fields.items():
        setattr(spec, name, value)
    return spec


def test_zone_unknown_until_update_aggregates_then_served(
        placement, hosts, scheduler_factory, client):
    scheduler_factory(extra_conf={'host_facts': {'sources': ''}})
    spec = _spec(availability_zone='az1')
    reason = _refusal(client, spec)
    assert 'availability zone membership unknown' in reason
    assert 'no aggregate facts since start' in reason
    assert '[host_facts] sources = nova_db' in reason

    _aggregate_arrives(client, placement, hosts, ['facts-02'],
                       {'availability_zone': 'az1'})
    assert _placed_once_facts_arrive(client, spec) == 'facts-02'


def test_tenant_isolation_unknown_until_aggregates_then_confined(
        placement, hosts, scheduler_factory, client):
    scheduler_factory(extra_conf={
        'host_facts': {'sources': ''},
        'scheduler': {'limit_tenants_to_placement_aggregate': 'true'}})
    spec = _spec()
    reason = _refusal(client, spec)
    assert 'aggregate' in reason and 'unknown' in reason
    assert 'update_aggregates' in reason

    _aggregate_arrives(client, placement, hosts, ['facts-03'],
                       {'filter_tenant_id': helpers.PROJECT})
    assert _placed_once_facts_arrive(client, spec) == 'facts-03'


def test_isolated_aggregates_unknown_until_aggregates_then_avoided(
        placement, hosts, scheduler_factory, client):
    scheduler_factory(extra_conf={
        'host_facts': {'sources': ''},
        'scheduler': {'enable_isolated_aggregate_filtering': 'true'}})
    spec = _spec()
    reason = _refusal(client, spec)
    assert 'aggregate' in reason and 'unknown' in reason

    _aggregate_arrives(client, placement, hosts, ['facts-01', 'facts-02'],
                       {'trait:CUSTOM_WINDOWS': 'required'})
    chosen = {_placed_once_facts_arrive(client, spec) for _ in range(3)}
    assert chosen == {'facts-03'}


def test_anti_affinity_unknown_until_instance_lists_then_spread(
        placement, hosts, scheduler_factory, client):
    scheduler_factory(extra_conf={'host_facts': {'sources': ''}})
    member = str(uuid.uuid4())
    spec = _spec(instance_group=rs.InstanceGroup(
        uuid=str(uuid.uuid4()), policy='anti-affinity',
        members=[member], hosts=['facts-01']))
    reason = _refusal(client, spec)
    assert 'ServerGroupAntiAffinityFilter 3->0' in reason
    assert 'instance list unknown' in reason
    assert 'sync_instance_info' in reason

    # The computes' periodic handshake: each sends all its instances.
    ctxt = helpers.context()
    client.sync_instance_info(ctxt, 'facts-01', [member])
    client.sync_instance_info(ctxt, 'facts-02', [])
    chosen = _placed_once_facts_arrive(client, spec)
    # facts-03 never reported: still refused; facts-01 runs the member.
    assert chosen == 'facts-02'
