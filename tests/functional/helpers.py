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

"""Requests and checks shared by the functional tests."""

import uuid

from oslo_context import context as oslo_context

from scheduler.objects import request_spec
from scheduler.rpc import errors
from scheduler.sim import cloud
from scheduler.sim import writers

PROJECT = 'functional-project'
USER = 'functional-user'


def context(auth_token='functional-token', service_catalog=None):
    """The dict a Nova RequestContext.to_dict() sends, secrets included."""
    ctxt = oslo_context.RequestContext(
        auth_token=auth_token, project_id=PROJECT, user_id=USER)
    values = ctxt.to_dict()
    values['service_catalog'] = service_catalog or []
    return values


def spec(vcpus=1, memory_mb=1024, root_gb=10, num_instances=1,
         extra_specs=None):
    return request_spec.RequestSpec(
        flavor=request_spec.Flavor(
            vcpus=vcpus, memory_mb=memory_mb, root_gb=root_gb,
            name='f%d' % vcpus, flavorid='f%d' % vcpus,
            extra_specs=extra_specs or {}),
        project_id=PROJECT, user_id=USER, num_instances=num_instances)


def uuids(count):
    return [str(uuid.uuid4()) for _ in range(count)]


def allocations(placement, consumer):
    return cloud.consumer_allocations(placement.endpoint, consumer)


def total_usage(placement, resource_class):
    return sum(u.get(resource_class, 0)
               for u in cloud.usages(placement.endpoint).values())


def select_one(rpc, instance):
    """select_destinations for one instance; a refusal is NoValidHost."""
    try:
        return rpc.call(
            context(), 'select_destinations',
            spec_obj=writers.request_spec_to_primitive(spec()),
            instance_uuids=[instance], return_objects=True,
            return_alternates=False)
    except Exception as e:  # noqa: B902 (remote refusals are rebuilt)
        refusal = errors.from_remote(e)
        if refusal is None:
            raise
        raise refusal from e
