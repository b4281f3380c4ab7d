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
"""

from oslo_log import log as logging
import oslo_messaging

from scheduler.rpc import transport as rpc_transport

LOG = logging.getLogger(__name__)

NAMESPACE = 'scheduler_admin'
VERSION = '1.0'


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


def host_facts_report(transport, timeout):
    """Ask one worker of a running service.

    Sends once (no reconnection loop on a broker that is down); raises
    ``MessagingTimeout`` when no worker answers in ``timeout`` seconds.
    """
    client = oslo_messaging.get_rpc_client(
        transport, oslo_messaging.Target(
            topic=rpc_transport.TOPIC, namespace=NAMESPACE,
            version=VERSION), timeout=timeout, retry=0)
    return client.call({'is_admin': True, 'roles': ['admin']},
                       'host_facts_report')
