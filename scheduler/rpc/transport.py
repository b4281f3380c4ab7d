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

"""Where the scheduler listens: transport, topic, target and API version.

A stock Nova caller (``nova/scheduler/rpcapi.py``) publishes on the topic
``scheduler`` of the exchange ``[DEFAULT] control_exchange`` (``nova``, set
as the default by ``scheduler.conf.default``) and asks for API 4.0 to 4.5.
The transport is always built on the global ``cfg.CONF``: oslo.messaging
(18.3) registers its tracing options there only, and a server built on a
private ``ConfigOpts`` drops every call (NoSuchOptError in the executor).
"""

from oslo_config import cfg
import oslo_messaging

TOPIC = 'scheduler'
RPC_API_VERSION = '4.5'


def get_transport(conf=None, url=None):
    """The RPC transport of ``[DEFAULT] transport_url`` (or ``url``).

    No remote exception module is allowed: our own client turns a remote
    ``NoValidHost`` into ``scheduler.exception.NoValidHost`` itself (see
    ``scheduler.rpc.errors.from_remote``), so it never needs to import
    ``nova.exception``.
    """
    return oslo_messaging.get_rpc_transport(conf or cfg.CONF, url=url)


def get_server_target(conf=None):
    """The target the server listens on: topic, this host, API 4.5.

    Listening with ``server=[DEFAULT] host`` receives the topic queue
    (calls load-balanced over every scheduler process), the per-server
    queue and the fanout casts.
    """
    conf = conf or cfg.CONF
    return oslo_messaging.Target(topic=TOPIC, server=conf.host,
                                 version=RPC_API_VERSION)


def get_client_target():
    """The target a client sends to: the topic, base version 4.0."""
    return oslo_messaging.Target(topic=TOPIC, version='4.0')
