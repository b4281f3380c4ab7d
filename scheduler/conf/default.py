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

"""Options of the [DEFAULT] group.

``transport_url`` and ``control_exchange`` belong to oslo.messaging, which
registers them itself; this module only sets the exchange default that a
stock Nova caller publishes on.
"""

import socket

from oslo_config import cfg
import oslo_messaging

default_opts = [
    cfg.HostDomainOpt(
        'host',
        default=socket.gethostname(),
        sample_default='<current_hostname>',
        help='Name of this scheduler service. It is the ``server`` of the '
             'RPC target, so every scheduler process on one machine with '
             'the same name shares the per-server queue. A host name, '
             'address or domain, underscores allowed, as Nova\'s.'),
    cfg.StrOpt(
        'default_availability_zone',
        default='nova',
        help='Availability zone of a host that is in no aggregate with '
             '``availability_zone`` metadata; every Selection carries its '
             'host\'s zone, which nova-conductor copies to a rescheduled '
             'instance. Same name and default as Nova\'s option.'),
]

# Nova's RPC client publishes on the ``nova`` exchange; oslo.messaging's own
# default is ``openstack``, on which no Nova call ever arrives.
NOVA_CONTROL_EXCHANGE = 'nova'


def register_opts(conf):
    conf.register_opts(default_opts)
    oslo_messaging.set_transport_defaults(NOVA_CONTROL_EXCHANGE)


def list_opts():
    return {'DEFAULT': default_opts}
