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

"""Without a notification driver, a request builds no payload at all.

oslo.messaging's ``Notifier.is_enabled()`` is true for any drivers but
exactly ``['noop']``, the default ``[]`` included: the notifier must not
take that for "enabled", or every request makes both payloads for no
driver.
"""

from unittest import mock

import oslo_messaging
from oslo_messaging.notify import _impl_test
import pytest

from scheduler.rpc import notifications
from tests.unit.rpc import notifiers
from tests.unit.rpc import nova_wire


@pytest.fixture
def sent():
    _impl_test.reset()
    yield lambda: list(_impl_test.NOTIFICATIONS)
    _impl_test.reset()


@pytest.mark.parametrize('drivers', [[], ['noop'], ['noop', 'noop']])
def test_no_driver_is_not_enabled_and_builds_nothing(sent, drivers):
    _conf, notifier = notifiers.make(drivers)
    # What oslo.messaging itself says: enabled, but for no driver.
    if not drivers:
        assert oslo_messaging.Notifier(notifier._transport).is_enabled()
    assert not notifier.enabled
    with mock.patch.object(notifications, 'legacy_request_spec') as legacy, \
            mock.patch.object(notifications,
                              'request_spec_payload') as versioned:
        notifier.notify(None, 'start', nova_wire.request_spec())
        notifier.notify_error(None, nova_wire.request_spec(), 'why')
    assert not legacy.called and not versioned.called
    assert sent() == []


@pytest.mark.parametrize('notification_format, publishers', [
    ('unversioned', ['scheduler.test-host']),
    ('versioned', ['nova-scheduler:test-host']),
    ('both', ['scheduler.test-host', 'nova-scheduler:test-host']),
])
def test_a_driver_enables_what_the_format_says(sent, notification_format,
                                               publishers):
    _conf, notifier = notifiers.make(['test'], notification_format)
    assert notifier.enabled
    notifier.notify(None, 'start', nova_wire.request_spec())
    assert [message['publisher_id'] for _c, message, _p, _r in sent()] == (
        publishers)


def test_noop_beside_a_real_driver_still_sends(sent):
    _conf, notifier = notifiers.make(['noop', 'test'], 'unversioned')
    assert notifier.enabled
    notifier.notify(None, 'end', nova_wire.request_spec())
    assert len(sent()) == 1
