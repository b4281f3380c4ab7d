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

"""A limit scaled to the request never refuses while capacity exists.

With ``[scheduler] placement_results_per_instance = 1`` a one-instance
request asks the real Placement for one candidate: the first provider of
Placement's own order. When the filters refuse it, the scheduler asks
again with ``max_placement_results`` and places the instance elsewhere.
"""

import time
import uuid

from scheduler import exception
from scheduler.objects import request_spec as rs
from scheduler.sim import cloud
from tests.fixtures import cloud_hosts
from tests.functional import helpers

# Casts are fanned out: the service may not have applied one yet.
CAST_WAIT = 20


def _place(client, spec, instance):
    [selections] = client.select_destinations(
        helpers.context(), spec, [instance], return_objects=True)
    return selections[0].service_host


def _placed_once_casts_applied(client, spec):
    deadline = time.monotonic() + CAST_WAIT
    while True:
        try:
            return _place(client, spec, str(uuid.uuid4()))
        except exception.NoValidHost:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_a_cut_answer_the_filters_refuse_is_asked_again_in_full(
        placement, scheduler_factory, client):
    hosts = cloud_hosts.make_hosts(3, prefix='limit')
    cloud.create_hosts(placement.endpoint, hosts)
    names = {h.name for h in hosts}
    scheduler_factory(extra_conf={
        'host_facts': {'sources': ''},
        'scheduler': {'placement_results_per_instance': 1}})
    # A limit of 1: the only host offered is Placement's first.
    first_member = str(uuid.uuid4())
    first = _place(client, helpers.spec(), first_member)
    assert _place(client, helpers.spec(), str(uuid.uuid4())) == first
    second, last = sorted(names - {first})
    second_member = str(uuid.uuid4())
    ctxt = helpers.context()
    client.sync_instance_info(ctxt, first, [first_member])
    client.sync_instance_info(ctxt, second, [second_member])
    client.sync_instance_info(ctxt, last, [])

    spec = helpers.spec()
    spec.instance_group = rs.InstanceGroup(
        uuid=str(uuid.uuid4()), policy='anti-affinity',
        members=[first_member, second_member], hosts=[first, second])

    # Placement still offers only ``first`` at a limit of 1, which the
    # anti-affinity filter refuses: placed on ``last`` by the full answer.
    assert _placed_once_casts_applied(client, spec) == last
