"""nova-scheduler's manager, as a bridge to a real ``scheduler-server``.

Nova's ``Service`` builds this manager for ``nova-scheduler`` and serves
it on the test's own (in-process) RPC transport with Nova's serializer.
The manager starts ``scheduler-server`` for the test (``server``) and
sends it every call and cast it receives, with the same arguments (casts
as calls, see ``_cast``), through an oslo.messaging client on the broker,
serialized by Nova's own
``RequestContextSerializer(NovaObjectSerializer())``: so the service reads
exactly the primitives a stock nova-conductor sends it, and its answers
become Nova objects the same way. A ``NoValidHost`` comes back as Nova's
own exception, with the service's reason.
"""

import collections
import threading

from nova import context as nova_context
from nova import exception
from nova import manager
from nova.objects import base as objects_base
from nova import rpc
from oslo_log import log as logging
import oslo_messaging as messaging

from scheduler_nova_functional import harness
from scheduler_nova_functional import server

LOG = logging.getLogger(__name__)

CONF = rpc.CONF
_SENTINEL = object()
# Longest wait for the service's notifications of a request to come back.
NOTIFICATION_WAIT = 10
# A refused request has a start notification only if Placement offered
# candidates: how long to wait for one that may not come.
REFUSED_NOTIFICATION_WAIT = 0.5


class _Notifications:
    """Takes the service's notifications off the broker, gives them to Nova.

    They are handed to ``nova.rpc``'s notifiers, which the test has
    replaced with its fakes. ``select_destinations`` waits for those of
    its own request, so that they come before the conductor's next ones,
    as from Nova's scheduler in the same process.
    """

    def __init__(self, url):
        fmt = CONF.notifications.notification_format
        self.kinds = {'legacy': fmt in ('unversioned', 'both'),
                      'versioned': fmt in ('versioned', 'both')}
        self._seen = collections.Counter()
        self._cond = threading.Condition()
        self._transport = messaging.get_notification_transport(CONF, url=url)
        topics = {
            'legacy': CONF.oslo_messaging_notifications.topics,
            'versioned': CONF.notifications.versioned_notifications_topics}
        self._listeners = []
        for kind, wanted in self.kinds.items():
            if wanted:
                listener = messaging.get_notification_listener(
                    self._transport,
                    [messaging.Target(topic=t) for t in topics[kind]],
                    [_Endpoint(self, kind)], executor='threading')
                listener.start()
                self._listeners.append(listener)

    def received(self, kind, ctxt, publisher_id, event_type, payload):
        notifier = rpc.LEGACY_NOTIFIER if kind == 'legacy' else rpc.NOTIFIER
        notifier.prepare(publisher_id=publisher_id).info(
            nova_context.RequestContext.from_dict(ctxt), event_type, payload)
        with self._cond:
            self._seen[kind, event_type] += 1
            self._cond.notify_all()

    def counts(self):
        with self._cond:
            return collections.Counter(self._seen)

    def wait(self, before, phases, timeout=NOTIFICATION_WAIT):
        """Until one more of each kind sent for each of ``phases``."""
        wanted = [(kind, 'scheduler.select_destinations.%s' % phase)
                  for kind, on in self.kinds.items() if on
                  for phase in phases]
        with self._cond:
            self._cond.wait_for(
                lambda: all(self._seen[w] > before[w] for w in wanted),
                timeout=timeout)

    def stop(self):
        for listener in self._listeners:
            listener.stop()
            listener.wait()
        self._transport.cleanup()


class _Endpoint:
    def __init__(self, notifications, kind):
        self._notifications = notifications
        self._kind = kind

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        self._notifications.received(self._kind, ctxt, publisher_id,
                                     event_type, payload)


class SchedulerManager(manager.Manager):
    """Nova's scheduler RPC API 4.5, answered by our service."""

    target = messaging.Target(version='4.5')

    def __init__(self, *args, **kwargs):
        super().__init__(service_name='scheduler', *args, **kwargs)
        url = harness.transport_url()
        self._server = server.start(CONF, url)
        self._notifications = _Notifications(url)
        self._stopped = False
        self._casts = threading.Condition()
        self._pending = 0
        transport = messaging.get_rpc_transport(
            CONF, url=url, allowed_remote_exmods=['nova.exception'])
        self._transport = transport
        self._client = messaging.get_rpc_client(
            transport, messaging.Target(topic='scheduler', version='4.5'),
            serializer=rpc.RequestContextSerializer(
                objects_base.NovaObjectSerializer()))

    def _prepare(self, **kwargs):
        if self._stopped:
            raise exception.NoValidHost(
                reason='the scheduler service is stopping')
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
        self._casts_applied()
        before = self._notifications.counts()
        notified = spec_obj is not _SENTINEL
        try:
            result = cctxt.call(ctxt, 'select_destinations', **kwargs)
        except exception.NoValidHost as e:
            if notified:
                self._notifications.wait(before, ['start'],
                                         REFUSED_NOTIFICATION_WAIT)
            # The rebuilt remote exception carries the server's traceback
            # in its str(); Nova's own scheduler raises a plain one.
            raise exception.NoValidHost(reason=e.kwargs.get('reason', ''))
        if notified:
            self._notifications.wait(before, ['start', 'end'])
        return result

    def _cast(self, ctxt, method, version, **kwargs):
        """Forward a cast, as a call: so we know when it has been applied.

        Nova's scheduler applies a cast in the test's process soon after
        it is sent; a request the test makes next expects it applied. A
        ``select_destinations`` waits for the casts received before it.
        """
        if self._stopped:
            LOG.debug('Dropped %s: the scheduler service is stopping', method)
            return
        with self._casts:
            self._pending += 1
        try:
            self._prepare(version=version).call(ctxt, method, **kwargs)
        finally:
            with self._casts:
                self._pending -= 1
                self._casts.notify_all()

    def _casts_applied(self):
        with self._casts:
            self._casts.wait_for(lambda: not self._pending,
                                 timeout=CONF.rpc_response_timeout)

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

    def set_shutdown_in_progress(self):
        # Service.stop() calls this first, and synchronously (the rest of
        # its shutdown runs in a thread Nova's leak checks may not wait
        # for): stop the server and the pollers of our own transports now.
        super().set_shutdown_in_progress()
        self.cleanup_host()

    def cleanup_host(self):
        if self._stopped:
            return
        self._stopped = True
        self._server.stop()
        self._notifications.stop()
        self._transport.cleanup()
