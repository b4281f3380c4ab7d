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
import contextlib
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
# Nova's exchange (its control_exchange), the service's default too: the
# link's transport is made before Nova's tests set it as the default.
EXCHANGE = 'nova'
# Nova's default notification topics, which the tests keep.
NOTIFICATION_TOPICS = {'legacy': ['notifications'],
                       'versioned': ['versioned_notifications']}

_link = None


class _Link:
    """This worker's connections to the broker, open for its whole life.

    One RPC client and the notification listeners serve every test the
    worker runs: stopping an idle oslo.messaging listener waits out its
    poll (up to seconds), which per test would cost more than many tests
    take. A notification goes to the bridge that sent the request
    it belongs to (by request id); a late one of an earlier test is
    dropped.
    """

    def __init__(self, url):
        conf = CONF
        self.bridges = []
        self._lock = threading.Lock()
        self._rpc_transport = messaging.get_rpc_transport(
            conf, url=url, allowed_remote_exmods=['nova.exception'])
        self.client = messaging.get_rpc_client(
            self._rpc_transport,
            messaging.Target(exchange=EXCHANGE, topic='scheduler',
                             version='4.5'),
            serializer=rpc.RequestContextSerializer(
                objects_base.NovaObjectSerializer()))
        self._notification_transport = messaging.get_notification_transport(
            conf, url=url)
        self._listeners = []
        for kind, topics in NOTIFICATION_TOPICS.items():
            listener = messaging.get_notification_listener(
                self._notification_transport,
                [messaging.Target(exchange=EXCHANGE, topic=t) for t in topics],
                [_Endpoint(self, kind)], executor='threading')
            listener.start()
            self._listeners.append(listener)

    def attach(self, bridge):
        with self._lock:
            self.bridges.append(bridge)

    def detach(self, bridge):
        with self._lock:
            if bridge in self.bridges:
                self.bridges.remove(bridge)

    def received(self, kind, ctxt, publisher_id, event_type, payload):
        request_id = (ctxt or {}).get('request_id')
        with self._lock:
            owners = [b for b in self.bridges if b.sent(request_id)]
        if not owners:
            LOG.debug('Dropped %s of request %s: no test waits for it',
                      event_type, request_id)
            return
        owners[0].received(kind, ctxt, publisher_id, event_type, payload)


class _Endpoint:
    def __init__(self, link, kind):
        self._link = link
        self._kind = kind

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        self._link.received(self._kind, ctxt, publisher_id, event_type,
                            payload)


def link():
    """This worker's link to the broker (opened on first use)."""
    if _link is None:
        raise RuntimeError('harness not installed in this process')
    return _link


def open_link(url):
    global _link
    _link = _Link(url)


class SchedulerManager(manager.Manager):
    """Nova's scheduler RPC API 4.5, answered by our service."""

    target = messaging.Target(version='4.5')

    def __init__(self, *args, **kwargs):
        super().__init__(service_name='scheduler', *args, **kwargs)
        self._check_topics()
        fmt = CONF.notifications.notification_format
        self._kinds = {'legacy': fmt in ('unversioned', 'both'),
                       'versioned': fmt in ('versioned', 'both')}
        self._url = harness.transport_url()
        self._server = server.start(CONF, self._url)
        # Guards the server's restarts against the calls in flight.
        self._restart = threading.Condition()
        self._calls = 0
        self._stopped = False
        self._casts = threading.Condition()
        self._pending = 0
        self._notified = threading.Condition()
        self._seen = collections.Counter()
        self._request_ids = set()
        self._link = link()
        self._link.attach(self)

    @staticmethod
    def _check_topics():
        wanted = {
            'legacy': CONF.oslo_messaging_notifications.topics,
            'versioned': CONF.notifications.versioned_notifications_topics}
        for kind, topics in wanted.items():
            if set(topics) - set(NOTIFICATION_TOPICS[kind]):
                raise RuntimeError(
                    'the harness listens for %s notifications on %s only, '
                    'not %s' % (kind, NOTIFICATION_TOPICS[kind], topics))

    def sent(self, request_id):
        """Whether this bridge forwarded the request ``request_id``."""
        with self._notified:
            return request_id in self._request_ids

    def received(self, kind, ctxt, publisher_id, event_type, payload):
        """Hand one of the service's notifications to the test's notifier.

        ``nova.rpc``'s notifiers are the test's fakes. ``select_destinations``
        waits for those of its own request, so that they come before the
        conductor's next ones, as from Nova's scheduler in one process.
        """
        notifier = rpc.LEGACY_NOTIFIER if kind == 'legacy' else rpc.NOTIFIER
        notifier.prepare(publisher_id=publisher_id).info(
            nova_context.RequestContext.from_dict(ctxt), event_type, payload)
        with self._notified:
            self._seen[kind, event_type] += 1
            self._notified.notify_all()

    def _wait_notified(self, before, phases, timeout=NOTIFICATION_WAIT):
        """Until one more of each kind sent for each of ``phases``."""
        wanted = [(kind, 'scheduler.select_destinations.%s' % phase)
                  for kind, on in self._kinds.items() if on
                  for phase in phases]
        with self._notified:
            self._notified.wait_for(
                lambda: all(self._seen[w] > before[w] for w in wanted),
                timeout=timeout)

    @contextlib.contextmanager
    def _calling(self, **kwargs):
        """A client of the current server, which stays until the call ends.

        A test may change the options while other threads have calls in
        flight (its computes' casts go on while it sets flags). The server
        is restarted only once none is: a call whose server is stopped
        under it, or whose message is purged with the old queue, is never
        answered.
        """
        if self._stopped:
            raise exception.NoValidHost(
                reason='the scheduler service is stopping')
        with self._restart:
            self._restart.wait_for(
                lambda: not self._calls or server.unchanged(
                    self._server, CONF, self._url))
            self._server = server.current(self._server, CONF, self._url)
            self._calls += 1
        try:
            self._server.wait_ready()
            yield self._link.client.prepare(**kwargs)
        finally:
            with self._restart:
                self._calls -= 1
                self._restart.notify_all()

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
        # The casts first: one waiting to restart the server would wait
        # for this call, which would wait for it.
        self._casts_applied()
        notified = spec_obj is not _SENTINEL
        with self._notified:
            before = collections.Counter(self._seen)
            self._request_ids.add(ctxt.request_id)
        try:
            # As Nova's SchedulerAPI: a long timeout, but the server's
            # heartbeats must keep coming. Without call_monitor_timeout, a
            # call the server never answers (it was stopped with the call
            # in flight, at a test's clean-up) held Nova's conductor, and
            # so the test worker, for long_rpc_timeout (1,800 s).
            with self._calling(
                    timeout=CONF.long_rpc_timeout,
                    call_monitor_timeout=CONF.rpc_response_timeout) as cctxt:
                result = cctxt.call(ctxt, 'select_destinations', **kwargs)
        except exception.NoValidHost as e:
            if notified:
                self._wait_notified(before, ['start'],
                                    REFUSED_NOTIFICATION_WAIT)
            # The rebuilt remote exception carries the server's traceback
            # in its str(); Nova's own scheduler raises a plain one.
            raise exception.NoValidHost(reason=e.kwargs.get('reason', ''))
        if notified:
            self._wait_notified(before, ['start', 'end'])
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
            with self._calling(version=version) as cctxt:
                cctxt.call(ctxt, method, **kwargs)
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
        self._link.detach(self)
        self._server.stop()
