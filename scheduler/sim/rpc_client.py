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

"""Our client of the scheduler RPC API, shaped like Nova's ``SchedulerAPI``.

Used by the simulator and the tests to send exactly what a Nova caller
sends: ``select_destinations`` at the highest version the cap allows (4.5
with ``return_objects``/``return_alternates``, 4.4 with
``instance_uuids``, 4.3 with ``spec_obj``, else 4.0 with the legacy dicts),
the aggregate casts at 4.1 and the instance-info casts at 4.2, all fanout.
"""

import oslo_messaging

from scheduler import exception
from scheduler.host_state import facts
from scheduler.objects import request_spec as model
from scheduler.rpc import errors
from scheduler.rpc import primitives
from scheduler.rpc import serializer
from scheduler.rpc import transport as rpc_transport
from scheduler.sim import writers


class SchedulerClient:
    """Calls the scheduler service over ``transport``.

    ``version_cap`` plays the part of Nova's ``[upgrade_levels]
    scheduler``. A refusal raises ``scheduler.exception.NoValidHost`` with
    the server's reason.
    """

    def __init__(self, transport, version_cap=None, timeout=None):
        self.timeout = timeout
        self.client = oslo_messaging.get_rpc_client(
            transport, rpc_transport.get_client_target(),
            version_cap=version_cap,
            serializer=serializer.SchedulerSerializer(
                rebuild_selections=True))

    def select_destinations(self, ctxt, spec, instance_uuids,
                            return_objects=False, return_alternates=False):
        """Ask for hosts, as Nova's conductor does.

        ``spec`` is a ``RequestSpec`` of our model or a Nova RequestSpec
        primitive (sent as it is). Returns, with ``return_objects``, a list
        per instance of ``Selection`` objects; otherwise a list of
        ``{"host", "nodename", "limits"}`` dicts.
        """
        version = '4.5'
        args = {'spec_obj': spec, 'instance_uuids': instance_uuids,
                'return_objects': return_objects,
                'return_alternates': return_alternates}
        if not self.client.can_send_version(version):
            if return_objects or return_alternates:
                raise exception.InvalidRequest(
                    'return_objects and return_alternates need scheduler '
                    'RPC API 4.5; the version cap is %s'
                    % self.client.version_cap)
            del args['return_objects'], args['return_alternates']
            version = '4.4'
        if not self.client.can_send_version(version):
            del args['instance_uuids']
            version = '4.3'
        if not self.client.can_send_version(version):
            spec = args.pop('spec_obj')
            if not isinstance(spec, model.RequestSpec):
                spec = primitives.request_spec_from_primitive(spec)
            args['request_spec'], args['filter_properties'] = (
                writers.request_spec_to_legacy(spec))
            version = '4.0'
        elif isinstance(spec, model.RequestSpec):
            args['spec_obj'] = writers.request_spec_to_primitive(spec)
        cctxt = self.client.prepare(version=version, timeout=self.timeout)
        try:
            return cctxt.call(ctxt, 'select_destinations', **args)
        except Exception as e:
            refusal = errors.from_remote(e)
            if refusal is None:
                raise
            raise refusal from e

    def _fanout(self, ctxt, version, method, **kwargs):
        cctxt = self.client.prepare(fanout=True, version=version)
        cctxt.cast(ctxt, method, **kwargs)

    def update_aggregates(self, ctxt, aggregates):
        """``aggregates``: ``AggregateFacts`` records or primitives."""
        self._fanout(ctxt, '4.1', 'update_aggregates', aggregates=[
            _aggregate(agg) for agg in aggregates])

    def delete_aggregate(self, ctxt, aggregate):
        self._fanout(ctxt, '4.1', 'delete_aggregate',
                     aggregate=_aggregate(aggregate))

    def update_instance_info(self, ctxt, host_name, instance_info):
        """``instance_info``: ``InstanceFacts`` records, or a primitive."""
        if (isinstance(instance_info, list) and
                all(isinstance(i, facts.InstanceFacts)
                    for i in instance_info)):
            instance_info = writers.instance_list_to_primitive(
                host_name, instance_info)
        self._fanout(ctxt, '4.2', 'update_instance_info',
                     host_name=host_name, instance_info=instance_info)

    def delete_instance_info(self, ctxt, host_name, instance_uuid):
        self._fanout(ctxt, '4.2', 'delete_instance_info',
                     host_name=host_name, instance_uuid=instance_uuid)

    def sync_instance_info(self, ctxt, host_name, instance_uuids):
        self._fanout(ctxt, '4.2', 'sync_instance_info',
                     host_name=host_name, instance_uuids=instance_uuids)


def _aggregate(value):
    """A record is written as Nova does; anything else is sent as is."""
    if isinstance(value, facts.AggregateFacts):
        return writers.aggregate_to_primitive(value)
    return value
