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

"""The scheduler's RPC endpoint called in-process, through the wire format.

The workload replay sends thousands of calls one after the other. On
oslo.messaging's in-process ``fake://`` driver each would wait for the
server's next poll (every 50 ms): most of an event's time, and none of it
the scheduler's. This channel does what the transport does, less the
waiting: the caller's serializer writes the arguments, they go through
JSON as on a broker, the server's serializer reads them, and the endpoint
method the RPC server dispatches to answers; a refusal comes back as the
caller's ``NoValidHost``.
"""

import oslo_messaging
from oslo_serialization import jsonutils

from scheduler.rpc import errors
from scheduler.rpc import serializer
from scheduler.sim import writers


class DirectClient:
    """Calls a ``SchedulerEndpoint`` as our RPC client would, in-process."""

    def __init__(self, endpoint):
        self._endpoint = endpoint
        self._caller = serializer.SchedulerSerializer(rebuild_selections=True)
        self._server = serializer.SchedulerSerializer()

    def call(self, ctxt, method, **kwargs):
        wire = jsonutils.loads(jsonutils.dumps({
            'context': self._caller.serialize_context(ctxt),
            'args': {k: self._caller.serialize_entity(ctxt, v)
                     for k, v in kwargs.items()}}))
        server_ctxt = self._server.deserialize_context(wire['context'])
        args = {k: self._server.deserialize_entity(server_ctxt, v)
                for k, v in wire['args'].items()}
        try:
            result = getattr(self._endpoint, method)(server_ctxt, **args)
        except oslo_messaging.ExpectedException as e:
            error = e.exc_info[1]
            raise errors.from_remote(error) or error from None
        result = jsonutils.loads(jsonutils.dumps(
            self._server.serialize_entity(server_ctxt, result)))
        return self._caller.deserialize_entity(ctxt, result)

    def select_destinations(self, ctxt, spec, instance_uuids):
        """Selections (with alternates) per instance, as API 4.5 returns."""
        return self.call(
            ctxt, 'select_destinations',
            spec_obj=writers.request_spec_to_primitive(spec),
            instance_uuids=instance_uuids, return_objects=True,
            return_alternates=True)

    def update_instance_info(self, ctxt, host_name, instances):
        """``instances``: the ``InstanceFacts`` added on ``host_name``."""
        self.call(ctxt, 'update_instance_info', host_name=host_name,
                  instance_info=writers.instance_list_to_primitive(
                      host_name, instances))

    def delete_instance_info(self, ctxt, host_name, instance_uuid):
        self.call(ctxt, 'delete_instance_info', host_name=host_name,
                  instance_uuid=instance_uuid)

    def sync_instance_info(self, ctxt, host_name, instance_uuids):
        self.call(ctxt, 'sync_instance_info', host_name=host_name,
                  instance_uuids=instance_uuids)

    def update_aggregates(self, ctxt, aggregates):
        """``aggregates``: ``AggregateFacts`` records."""
        self.call(ctxt, 'update_aggregates', aggregates=[
            writers.aggregate_to_primitive(a) for a in aggregates])
