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

"""The RPC endpoint a stock Nova calls, and the server that carries it.

The methods, their argument names and their semantics are those of Nova's
scheduler manager, API 4.5 (as Nova's ``nova/scheduler/rpcapi.py`` sends
them; ``doc/source/rpc.rst`` has the details). The endpoint reads the
wire form into the plain model (``scheduler.rpc.primitives`` and
``scheduler.rpc.payloads``), calls the ``SchedulerManager`` and turns the
answer back into what the caller's API version expects. Refusals reach the
caller as ``nova.exception.NoValidHost`` (``scheduler.rpc.errors``).
"""

import functools

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging

from scheduler import exception
from scheduler.rpc import admin
from scheduler.rpc import errors
from scheduler.rpc import payloads
from scheduler.rpc import primitives
from scheduler.rpc import readers
from scheduler.rpc import serializer
from scheduler.rpc import transport as rpc_transport

LOG = logging.getLogger(__name__)

# Tells "spec_obj not sent" (API < 4.3) from any value a caller can send.
_SENTINEL = object()


class SchedulerEndpoint:
    """Nova's scheduler RPC API 4.5, served by a ``SchedulerManager``.

    Manager calls: ``select_destinations(context, spec, instance_uuids,
    return_alternates) -> list[list[Selection]]`` with ``spec`` a
    ``scheduler.objects.request_spec.RequestSpec`` and ``instance_uuids``
    None or a list of strings; ``update_aggregates(context,
    list[AggregateFacts])``, ``delete_aggregate(context,
    AggregateFacts)``, ``update_instance_info(context, host_name,
    list[InstanceFacts])`` (records of ``scheduler.host_state.facts``,
    read by ``payloads``), ``delete_instance_info(context,
    host_name, instance_uuid)``, ``sync_instance_info(context, host_name,
    list[str])``. The context is an ``oslo_context`` RequestContext.
    """

    target = oslo_messaging.Target(version=rpc_transport.RPC_API_VERSION)

    def __init__(self, manager, conf=None, notifier=None):
        self.manager = manager
        self.conf = conf or cfg.CONF
        self.notifier = notifier
        self.bounds = readers.Bounds.from_conf(self.conf)

    def _read_request(self, request_spec, filter_properties, spec_obj,
                      instance_uuids):
        limit = self.conf.scheduler.max_instances_per_request
        if spec_obj is _SENTINEL:
            # API 4.0 to 4.2: the two legacy dicts.
            spec = primitives.request_spec_from_legacy(
                request_spec, filter_properties, max_instances=limit)
        else:
            spec = primitives.request_spec_from_primitive(
                spec_obj, max_instances=limit)
        uuids = primitives.instance_uuids_from_wire(instance_uuids,
                                                    max_instances=limit)
        return spec, uuids

    @errors.refusals_as_no_valid_host
    def select_destinations(self, ctxt, request_spec=None,
                            filter_properties=None, spec_obj=_SENTINEL,
                            instance_uuids=None, return_objects=False,
                            return_alternates=False):
        """Hosts for the instances of one request, best first.

        With ``return_objects`` (API 4.5): a list, one per instance, of
        lists of ``Selection`` (the chosen host, then the alternates when
        ``return_alternates``). Without it: a list of ``{"host",
        "nodename", "limits"}`` dicts, one per instance.
        """
        try:
            with readers.bounded(self.bounds):
                spec, uuids = self._read_request(
                    request_spec, filter_properties, spec_obj,
                    instance_uuids)
                return_objects = readers.read_bool(return_objects,
                                                   'return_objects')
                return_alternates = readers.read_bool(return_alternates,
                                                      'return_alternates')
        except exception.InvalidRequest as e:
            LOG.warning('Refused select_destinations: invalid request: %s',
                        e.reason)
            raise
        if not spec.user_id:
            # As Nova's claim: a request spec written before Rocky has no
            # user; the allocations are then the caller's.
            spec.user_id = getattr(ctxt, 'user_id', None)
        # As in Nova: alternates only go with Selection objects.
        return_alternates = return_alternates and return_objects
        LOG.debug('select_destinations: %(count)s instance(s) of flavor '
                  '%(flavor)s, return_objects=%(objects)s, '
                  'return_alternates=%(alternates)s',
                  {'count': len(uuids) if uuids else spec.num_instances,
                   'flavor': spec.flavor.name, 'objects': return_objects,
                   'alternates': return_alternates})
        # As Nova: a request of API 4.3 and later is told about (the
        # payloads are made from its RequestSpec) once Placement offered
        # candidates (or for a rebuild check); no end if it fails.
        on_candidates = None
        if (self.notifier is not None and self.notifier.enabled and
                spec_obj is not _SENTINEL):
            # A context object: oslo.messaging drops a dict one.
            request_context = serializer.context_from_dict(ctxt)
            on_candidates = functools.partial(
                self.notifier.notify, request_context, 'start', spec_obj)
        try:
            selections = self.manager.select_destinations(
                ctxt, spec, uuids, return_alternates,
                on_candidates=on_candidates)
        except errors.REFUSALS as e:
            if on_candidates is not None:
                refusal = exception.no_valid_host(e)
                self.notifier.notify_error(
                    request_context, spec_obj,
                    refusal.detail or refusal.reason)
            raise
        if on_candidates is not None:
            self.notifier.notify(request_context, 'end', spec_obj)
        if not return_objects:
            return [list(choices)[0].to_legacy_dict()
                    for choices in selections]
        if not return_alternates:
            return [list(choices)[:1] for choices in selections]
        return [list(choices) for choices in selections]

    def _cast(self, method, call):
        """Run a cast; a malformed one is logged and dropped."""
        LOG.debug('Cast %s received', method)
        try:
            with readers.bounded(self.bounds):
                call()
        except exception.InvalidRequest as e:
            LOG.warning('Dropped %(method)s: invalid request: %(reason)s',
                        {'method': method, 'reason': e.reason})

    def update_aggregates(self, ctxt, aggregates):
        """Fanout cast (4.1): aggregates were created or changed."""
        self._cast('update_aggregates', lambda: (
            self.manager.update_aggregates(
                ctxt, payloads.aggregates_from_wire(aggregates))))

    def delete_aggregate(self, ctxt, aggregate):
        """Fanout cast (4.1): an aggregate was deleted."""
        self._cast('delete_aggregate', lambda: (
            self.manager.delete_aggregate(
                ctxt, payloads.aggregate_from_wire(aggregate))))

    def update_instance_info(self, ctxt, host_name, instance_info):
        """Fanout cast (4.2): instances of a host were created or changed."""
        self._cast('update_instance_info', lambda: (
            self.manager.update_instance_info(
                ctxt, payloads.host_name_from_wire(host_name),
                payloads.instance_infos_from_wire(instance_info))))

    def delete_instance_info(self, ctxt, host_name, instance_uuid):
        """Fanout cast (4.2): an instance left a host."""
        self._cast('delete_instance_info', lambda: (
            self.manager.delete_instance_info(
                ctxt, payloads.host_name_from_wire(host_name),
                payloads.instance_uuid_from_wire(instance_uuid))))

    def sync_instance_info(self, ctxt, host_name, instance_uuids):
        """Fanout cast (4.2): the full list of a host's instance uuids."""
        self._cast('sync_instance_info', lambda: (
            self.manager.sync_instance_info(
                ctxt, payloads.host_name_from_wire(host_name),
                primitives.instance_uuids_from_wire(
                    instance_uuids) or [])))


def build_rpc_server(conf, manager, transport=None, notifier=None):
    """The RPC server of ``manager`` on the scheduler target (not started).

    It listens on topic ``scheduler`` as ``server=[DEFAULT] host`` (with
    the operators' calls of ``scheduler.rpc.admin`` beside Nova's) with
    oslo.messaging's threading executor (the default without eventlet);
    ``stop()`` then ``wait()`` lets in-flight calls finish. ``notifier``:
    a ``notifications.SelectDestinationsNotifier``, or None (none sent).
    """
    transport = transport or rpc_transport.get_transport(conf)
    return oslo_messaging.get_rpc_server(
        transport, rpc_transport.get_server_target(conf),
        [SchedulerEndpoint(manager, conf, notifier),
         admin.AdminEndpoint(manager)],
        serializer=serializer.SchedulerSerializer(),
        access_policy=oslo_messaging.DefaultRPCAccessPolicy)
