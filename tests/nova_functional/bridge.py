"""nova-scheduler's manager, as a bridge to a real ``scheduler-server``.

Nova's ``Service`` builds this manager for ``nova-scheduler`` and serves
it on the test's own (in-process) RPC transport with Nova's serializer.
The manager starts ``scheduler-server`` for the test (``server``) and
sends it every call and cast it receives, with the same arguments, through
an oslo.messaging client on the broker, serialized by Nova's own
``RequestContextSerializer(NovaObjectSerializer())``: so the service reads
exactly the primitives a stock nova-conductor sends it, and its answers
become Nova objects the same way. A ``NoValidHost`` comes back as Nova's
own exception, with the service's reason.
"""

from nova import exception
from nova import manager
from nova.objects import base as objects_base
from nova import rpc
import oslo_messaging as messaging
from oslo_log import log as logging

from scheduler_nova_functional import harness
from scheduler_nova_functional import server

LOG = logging.getLogger(__name__)

CONF = rpc.CONF
_SENTINEL = object()


class SchedulerManager(manager.Manager):
    """Nova's scheduler RPC API 4.5, answered by our service."""

    target = messaging.Target(version='4.5')

    def __init__(self, *args, **kwargs):
        super().__init__(service_name='scheduler', *args, **kwargs)
        url = harness.transport_url()
        self._server = server.start(CONF, url)
        transport = messaging.get_rpc_transport(
            CONF, url=url, allowed_remote_exmods=['nova.exception'])
        self._transport = transport
        self._client = messaging.get_rpc_client(
            transport, messaging.Target(topic='scheduler', version='4.5'),
            serializer=rpc.RequestContextSerializer(
                objects_base.NovaObjectSerializer()))

    def _prepare(self, **kwargs):
        self._server.wait_ready()
        return self._client.prepare(**kwargs)

    @messaging.expected_exceptions(exception.NoValidHost)
    def select_destinations(self, ctxt, request_spec=None,
                            filter_properties=None, spec_obj=_SENTINEL,
                            instance_uuids=None, return_objects=False,
                            return_alternates=False):
        if spec_obj is _SENTINEL:
            kwargs = {'request_spec': request_spec,
                      'filter_properties': filter_properties}
        else:
            kwargs = {'spec_obj': spec_obj, 'instance_uuids': instance_uuids,
                      'return_objects': return_objects,
                      'return_alternates': return_alternates}
        cctxt = self._prepare(timeout=CONF.long_rpc_timeout)
        try:
            return cctxt.call(ctxt, 'select_destinations', **kwargs)
        except exception.NoValidHost as e:
            # The rebuilt remote exception carries the server's traceback
            # in its str(); Nova's own scheduler raises a plain one.
            raise exception.NoValidHost(reason=e.kwargs.get('reason', ''))

    def _cast(self, ctxt, method, version, **kwargs):
        self._prepare(fanout=True, version=version).cast(
            ctxt, method, **kwargs)

    def update_aggregates(self, ctxt, aggregates):
        self._cast(ctxt, 'update_aggregates', '4.1', aggregates=aggregates)

    def delete_aggregate(self, ctxt, aggregate):
        self._cast(ctxt, 'delete_aggregate', '4.1', aggregate=aggregate)

    def update_instance_info(self, context, host_name, instance_info):
        self._cast(context, 'update_instance_info', '4.2',
                   host_name=host_name, instance_info=instance_info)

    def delete_instance_info(self, context, host_name, instance_uuid):
        self._cast(context, 'delete_instance_info', '4.2',
                   host_name=host_name, instance_uuid=instance_uuid)

    def sync_instance_info(self, context, host_name, instance_uuids):
        self._cast(context, 'sync_instance_info', '4.2',
                   host_name=host_name, instance_uuids=instance_uuids)

    def reset(self):
        self._server.reload()

    def graceful_shutdown(self, timeout):
        self.cleanup_host()

    def cleanup_host(self):
        self._server.stop()
        self._transport.cleanup()
