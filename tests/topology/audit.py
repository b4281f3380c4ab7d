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

"""What Placement holds after a row, against what the callers were told.

Every allocation of every provider of the row's cloud is read once and
sorted out by consumer:

- a whole claim is the flavor's resources on one provider; anything else
  (split over providers, or part of the resources) is half-claimed;
- a placed caller's consumer must hold a whole claim on the host it was
  told; a refused caller's consumer must hold nothing; a consumer no call
  asked for must not exist;
- a caller that got a clear error (its answer lost) may hold a whole
  claim (it landed) or nothing (it is gone): counted, not wrong;
- no provider may be used beyond its capacity.
"""

import collections
import dataclasses

from scheduler import exception
from scheduler.placement import client as placement_client  # noqa: F401
from scheduler.sim import cloud
from tests.fixtures import cloud_hosts

# What tests.functional.helpers.spec() asks for.
FLAVOR = {'VCPU': 1, 'MEMORY_MB': 1024, 'DISK_GB': 10}


def _kinds(cls):
    yield cls.kind
    for sub in cls.__subclasses__():
        yield from _kinds(sub)


def names_placement_failure(reason):
    """Whether a NoValidHost reason is a failed Placement call.

    As ``exception.no_valid_host`` words it: "Placement <kind>: ...",
    <kind> naming the failure (server error, unreachable, timed out...).
    Not a refusal for want of room, nor a claim Placement refused.
    """
    return any(reason.startswith('Placement %s:' % kind)
               for kind in _kinds(exception.PlacementError))


def make_hosts(count, vcpus):
    """``count`` hosts of ``vcpus`` VCPU each; VCPU is the only limit."""
    return cloud_hosts.make_hosts(count, vcpus=vcpus, memory_mb=1024 * vcpus,
                                  disk_gb=10 * vcpus, prefix='topo')


@dataclasses.dataclass
class Audit:
    leaked: int = 0
    half_claimed: int = 0
    missing: int = 0
    landed_lost: int = 0
    overcommit: int = 0

    @property
    def wrong(self):
        """Allocations that disagree with the answers, in all."""
        return self.leaked + self.half_claimed + self.missing


def held_allocations(endpoint, hosts):
    """{consumer: {provider uuid: resources}} over ``hosts``."""
    api = cloud.placement_adapter(endpoint)
    held = collections.defaultdict(dict)
    for host in hosts:
        body = api.get('/resource_providers/%s/allocations'
                       % host.uuid).json()
        for consumer, alloc in body['allocations'].items():
            held[consumer][host.uuid] = alloc['resources']
    return dict(held)


def _overcommitted(hosts, held):
    used = collections.defaultdict(collections.Counter)
    for allocs in held.values():
        for rp, resources in allocs.items():
            used[rp].update(resources)
    return sum(
        used[host.uuid][rc] > inv['total'] * inv['allocation_ratio']
        for host in hosts for rc, inv in host.inventory.items())


def audit(endpoint, hosts, answers):
    """An ``Audit`` of Placement against ``answers`` (``rpc_load.Answer``)."""
    held = held_allocations(endpoint, hosts)
    by_consumer = {a.consumer: a for a in answers}
    result = Audit(overcommit=_overcommitted(hosts, held))
    for consumer, allocs in held.items():
        answer = by_consumer.get(consumer)
        if len(allocs) != 1 or list(allocs.values())[0] != FLAVOR:
            result.half_claimed += 1
        elif answer is None or answer.refusal is not None:
            result.leaked += 1
        elif answer.placed and set(allocs) != {answer.host}:
            result.leaked += 1
        elif not answer.placed:
            result.landed_lost += 1
    result.missing = sum(a.placed and a.consumer not in held
                         for a in answers)
    return result
