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

"""Host states with facts, specs and confs for the filter tests."""

from scheduler.host_state import facts as host_facts
from scheduler.host_state import host_set as host_sets
from scheduler.host_state import host_state as hs
from scheduler.objects import request_spec
from tests.unit.host_state import fakes

CAPACITY = {'VCPU': 16, 'MEMORY_MB': 32768, 'DISK_GB': 1000}


def aggregate(id, metadata, hosts=()):
    return host_facts.AggregateFacts(id=id, uuid='agg-%d' % id,
                                     name='agg%d' % id,
                                     hosts=frozenset(hosts),
                                     metadata=dict(metadata))


def compute(**fields):
    return host_facts.ComputeFacts(**fields)


def host(name, aggregates=(), instances=(), compute=None, traits=(),
         zone='nova', placed=0, capacity=None, used=None,
         instances_known=None):
    """A HostState; ``instances`` are uuids, ``compute`` ComputeFacts.

    With none of the three, no source knows the host (``facts.UNKNOWN``).
    Its instance list is known (``instances_known``, unless given) when
    instances or a compute record were given, as a source reporting the
    compute node reports its instances too.
    """
    if instances_known is None:
        instances_known = bool(instances) or compute is not None
    facts = host_facts.HostFacts(
        aggregates=tuple(aggregates),
        instances={u: host_facts.InstanceFacts(uuid=u) for u in instances},
        instances_known=instances_known, compute=compute)
    if not (aggregates or instances or compute):
        facts = host_facts.UNKNOWN
    uuid = fakes.rp_uuid(name)
    capacity = capacity or CAPACITY
    used = used or {}
    providers = {uuid: {rc: {'capacity': amount, 'used': used.get(rc, 0)}
                        for rc, amount in capacity.items()}}
    state = hs.HostState(uuid, name, name, fakes.CELL, providers,
                         traits=traits, availability_zone=zone,
                         allocation_requests=[fakes.allocation_request(
                             {uuid: fakes.REQUEST})],
                         facts=facts)
    state.placed = placed
    return state


def host_set(hosts):
    result = host_sets.HostStateSet(hosts)
    for i, h in enumerate(result.hosts):
        result.placed[i] = h.placed
    return result


def spec(extra_specs=None, image_props=None, image_id=None, hints=None,
         group=None, flavor_name='m1.small', project_id='project', **fields):
    flavor = request_spec.Flavor(vcpus=1, memory_mb=1024, root_gb=10,
                                 name=flavor_name,
                                 extra_specs=dict(extra_specs or {}))
    return request_spec.RequestSpec(
        flavor=flavor, project_id=project_id, user_id='user',
        image=request_spec.Image(id=image_id,
                                 properties=dict(image_props or {})),
        scheduler_hints={k: v if isinstance(v, list) else [v]
                         for k, v in (hints or {}).items()},
        instance_group=group, **fields)


def group(policy, hosts=(), members=(), rules=None):
    return request_spec.InstanceGroup(uuid='group', policy=policy,
                                      hosts=list(hosts),
                                      members=list(members),
                                      rules=dict(rules or {}))


def conf(sources=('nova_db',), **filter_scheduler):
    """A conf; ``sources``: the host-facts sources (compute details)."""
    return fakes.make_conf(filter_scheduler=filter_scheduler,
                           host_facts={'sources': list(sources)})


def passing(flt, hosts, spec):
    """Names of the hosts passing ``flt``; both paths must agree."""
    per_host = [h.host for h in hosts if flt.host_passes(h, spec)]
    mask = getattr(flt, 'filter_mask', None)
    if mask is not None:
        column = [h.host for h, ok in zip(hosts, mask(host_set(hosts), spec))
                  if ok]
        assert column == per_host
    return per_host
