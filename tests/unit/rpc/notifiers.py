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

"""The service's notifier over oslo.messaging's fake transport."""

import oslo_messaging

from scheduler.rpc import notifications
from tests.unit.host_state import fakes


def make(drivers, notification_format='both'):
    """``(conf, SelectDestinationsNotifier)`` sending to ``drivers``."""
    conf = fakes.make_conf(
        DEFAULT={'host': 'test-host'},
        notifications={'notification_format': notification_format})
    transport = oslo_messaging.get_notification_transport(
        conf, url='fake://')
    conf.set_override('driver', drivers,
                      group='oslo_messaging_notifications')
    return conf, notifications.SelectDestinationsNotifier(conf, transport)
