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

"""Operators' calls to a running service: not part of Nova's API.

The endpoint listens beside Nova's on the same topic and server, in a
namespace of its own (``scheduler_admin``), which a Nova caller (namespace
None) never reaches. Every call needs an admin context (``is_admin``, or
the ``admin`` role); the transport's own credentials are the real gate, as
for any RPC service.

``host_facts_report``: what the answering worker's host-facts sources have
and have not heard since it started (``scheduler-status`` prints it).

``plan_destinations`` (1.1): a dry run of ``select_destinations`` that
claims nothing (``scheduler.drivers.dry_run``): where ``count`` instances
would go, with alternates, or the refusal with the operator's detail, and
each host's fate and weights when ``explain``. ``plan_capacity`` (1.1):
how many more instances fit now, host by host. Both answer admins only,
with host names: ``scheduler-plan`` prints them. Their wire forms are
written by ``scheduler.rpc.plan_wire``.
"""

from oslo_log import log as logging
import oslo_messaging

from scheduler import exception
from scheduler.rpc import plan_wire
from scheduler.rpc import primitives
from scheduler.rpc import readers
from scheduler.rpc import transport as rpc_transport

LOG = logging.getLogger(__name__)

NAMESPACE = 'scheduler_admin'
VERSION = '1.1'


# What our operators' tools send: the transport credentials are the gate.
ADMIN_CONTEXT = {'is_admin': True, 'roles': ['admin']}


class Forbidden(Exception):
    """The caller's context is not an admin's."""


def _is_admin(ctxt):
    if hasattr(ctxt, 'to_dict'):
        ctxt = ctxt.to_dict()
    ctxt = ctxt or {}
    return bool(ctxt.get('is_admin')) or 'admin' in (ctxt.get('roles') or ())


class AdminEndpoint:
    """Admin-only calls of a ``SchedulerManager``."""

    target = oslo_messaging.Target(namespace=NAMESPACE, version=VERSION)

    def __init__(self, manager):
        self.manager = manager

    @oslo_messaging.expected_exceptions(Forbidden)
    def host_facts_report(self, ctxt):
        """A JSON-able dict: see ``SchedulerManager.host_facts_report``."""
        if not _is_admin(ctxt):
            LOG.warning('Refused host_facts_report: not an admin context')
            raise Forbidden('host_facts_report needs an admin context')
        return self.manager.host_facts_report()

    def _admin_spec(self, ctxt, method, spec_obj, count=1):
        """The request of an admin's dry run, read as Nova's would be."""
        if not _is_admin(ctxt):
            LOG.warning('Refused %s: not an admin context', method)
            raise Forbidden('%s needs an admin context' % method)
        conf = self.manager.conf
        limit = conf.scheduler.max_instances_per_request
        with readers.bounded(readers.Bounds.from_conf(conf)):
            spec = primitives.request_spec_from_primitive(
                spec_obj, max_instances=limit)
            count = readers.read_int(count, 'count', minimum=1,
                                     maximum=limit, bound_name='[scheduler] '
                                     'max_instances_per_request')
        spec.num_instances = count
        return spec, count

    @oslo_messaging.expected_exceptions(Forbidden, exception.InvalidRequest)
    def plan_destinations(self, ctxt, spec_obj, count=1, explain=False):
        """A dry run of ``select_destinations``: claims nothing.

        A JSON-able dict (``plan_wire.plan_to_wire``): ``instances`` (per
        instance, the chosen host then the alternates, as ``{"host",
        "node"}``) or ``refused`` (``{"reason", "detail"}``), and
        ``explanation`` (``[[title, [line, ...]], ...]``) if asked for.
        """
        spec, count = self._admin_spec(ctxt, 'plan_destinations', spec_obj,
                                       count)
        explain = readers.read_bool(explain, 'explain')
        plan = self.manager.plan_destinations(ctxt, spec, count, explain)
        return plan_wire.plan_to_wire(plan)

    @oslo_messaging.expected_exceptions(Forbidden, exception.InvalidRequest)
    def plan_capacity(self, ctxt, spec_obj, limit=plan_wire.LIMIT,
                      max_per_host=plan_wire.MAX_PER_HOST,
                      seconds=plan_wire.SECONDS, top=plan_wire.TOP):
        """How many more instances of ``spec_obj`` fit now, host by host.

        A JSON-able dict (``plan_wire.capacity_to_wire``); the bounds are
        read with ``plan_wire.read_capacity_bounds``.
        """
        spec, _ = self._admin_spec(ctxt, 'plan_capacity', spec_obj)
        limit, max_per_host, seconds, top = plan_wire.read_capacity_bounds(
            limit, max_per_host, seconds, top)
        counted = self.manager.plan_capacity(ctxt, spec, limit,
                                             max_per_host, seconds)
        return plan_wire.capacity_to_wire(counted, top)


def host_facts_report(transport, timeout):
    """Ask one worker of a running service.

    Sends once (no reconnection loop on a broker that is down); raises
    ``MessagingTimeout`` when no worker answers in ``timeout`` seconds.
    Asked at 1.0, which every version of the service answers.
    """
    return call(transport, timeout, 'host_facts_report', version='1.0')


def call(transport, timeout, method, version=VERSION, **kwargs):
    """Call ``method`` of one worker of a running service, as an admin.

    Sends once, as ``host_facts_report`` does; the dry runs need a
    service of 1.1.
    """
    client = oslo_messaging.get_rpc_client(
        transport, oslo_messaging.Target(
            topic=rpc_transport.TOPIC, namespace=NAMESPACE,
            version=version), timeout=timeout, retry=0)
    return client.call(ADMIN_CONTEXT, method, **kwargs)
