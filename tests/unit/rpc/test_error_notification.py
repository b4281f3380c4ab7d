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

"""A refused request is told about: ``scheduler.select_destinations.error``.

The caller reads the short reason; the notification carries the
operator's account (``NoValidHost.detail``), under the same options as the
start and end notifications.
"""

import oslo_messaging
from oslo_messaging.notify import _impl_test
import pytest

from scheduler import exception
from scheduler.rpc import errors
from scheduler.rpc import server
from tests.unit.rpc import notifiers
from tests.unit.rpc import nova_wire

AGG = '00000000-0000-0000-0000-0000000000a1'


class RefusingManager:
    def select_destinations(self, context, spec, instance_uuids,
                            return_alternates, on_candidates=None):
        raise exception.NoValidHost(
            'Placement has no candidate for VCPU:64',
            detail='Placement has no candidate for VCPU:64; query '
                   'resources=VCPU:64&member_of=in:%s -> 0' % AGG)


@pytest.fixture
def notified():
    """The notifications sent (oslo.messaging's ``test`` driver)."""
    _impl_test.reset()
    # reset() binds a new list: read it through the module.
    yield lambda: [(message['publisher_id'], message['event_type'],
                    message['payload'], priority)
                   for _ctxt, message, priority, _retry
                   in _impl_test.NOTIFICATIONS]
    _impl_test.reset()


def _endpoint(notification_format, driver='test'):
    conf, notifier = notifiers.make([driver], notification_format)
    return server.SchedulerEndpoint(RefusingManager(), conf, notifier)


def _refuse(endpoint):
    context = {'user_id': 'u', 'project_id': 'p', 'request_id': 'req-7',
               'auth_token': 'secret-token'}
    with pytest.raises(oslo_messaging.ExpectedException) as ctx:
        endpoint.select_destinations(
            context, spec_obj=nova_wire.request_spec(),
            instance_uuids=['0b6b1a3e-2f2d-4e2e-8a8a-000000000001'],
            return_objects=True)
    refusal = ctx.value.exc_info[1]
    assert isinstance(refusal, errors.NoValidHost)
    return refusal


@pytest.mark.parametrize('notification_format, publishers', [
    ('unversioned', ['scheduler.test-host']),
    ('both', ['scheduler.test-host', 'nova-scheduler:test-host']),
])
def test_refusal_sends_error_with_the_operators_account(
        notified, notification_format, publishers):
    refusal = _refuse(_endpoint(notification_format))
    # The caller's text has no aggregate; the notification has it all.
    assert refusal.reason == 'Placement has no candidate for VCPU:64'
    sent = [n for n in notified()
            if n[1] == 'scheduler.select_destinations.error']
    assert [publisher for publisher, *_ in sent] == publishers
    for _publisher, _event, payload, priority in sent:
        assert priority == 'ERROR'
        assert AGG in payload['reason']
        assert 'request_spec' in payload
    # No end notification for a refused request.
    assert not [n for n in notified()
                if n[1] == 'scheduler.select_destinations.end']


def test_no_error_notification_without_a_notification_driver(notified):
    _refuse(_endpoint('both', driver='noop'))
    assert notified() == []
