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

"""The scheduler.select_destinations notifications, as Nova consumers read.

The service runs with ``notification_format = both``; a notification
listener on the broker stands for whoever consumes Nova's notifications.
Nova's own notification sample tests check the versioned payload field
for field (``tox -e nova-functional``); these check what a consumer reads.
"""

import queue

import oslo_messaging
import pytest

from tests.nova_compat import layout

EVENT = 'scheduler.select_destinations.%s'


class _Collect:
    def __init__(self):
        self.received = queue.Queue()

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        self.received.put((ctxt, publisher_id, event_type, payload))


@pytest.fixture
def listened(nova, broker, scheduler_service):
    transport = oslo_messaging.get_notification_transport(
        nova.CONF, url=broker.transport_url)
    found = {}
    listeners = []
    for kind, topic in (('legacy', layout.LEGACY_TOPIC),
                        ('versioned', layout.VERSIONED_TOPIC)):
        found[kind] = _Collect()
        listener = oslo_messaging.get_notification_listener(
            transport, [oslo_messaging.Target(topic=topic)], [found[kind]],
            executor='threading')
        listener.start()
        listeners.append(listener)
    try:
        yield found
    finally:
        for listener in listeners:
            listener.stop()
            listener.wait()
        transport.cleanup()


def _instance_of(payload):
    if 'request_spec' in payload:
        return payload['request_spec']['instance_properties'].get('uuid')
    return payload['nova_object.data']['instance_uuid']


def _take(collected, event_type, instance, timeout=10):
    """The next ``event_type`` about ``instance`` (other tests' skipped).

    Returns (context dict, publisher, payload).
    """
    while True:
        ctxt, publisher, event, payload = collected.received.get(
            timeout=timeout)
        if event == event_type and _instance_of(payload) == instance:
            return ctxt, publisher, payload


def test_both_kinds_of_notification_match_nova(
        nova, scheduler_api, ctxt, new_uuids, listened):
    flavor = nova.make_flavor('compat.notify', vcpus=1, memory_mb=512,
                              root_gb=1, extra_specs={'hw:cpu_policy':
                                                      'shared'})
    [instance] = new_uuids(1)
    spec = nova.make_request_spec(ctxt, flavor, [instance])
    spec.scheduler_hints = {'group': ['ab']}

    scheduler_api.select_destinations(ctxt, spec, [instance],
                                      return_objects=True,
                                      return_alternates=True)

    for phase in ('start', 'end'):
        sent_in, publisher, payload = _take(listened['versioned'],
                                            EVENT % phase, instance)
        # The caller's request context, as Nova's scheduler sends it
        # (oslo.messaging drops a context given as a plain dict).
        assert sent_in['request_id'] == ctxt.request_id
        assert sent_in['project_id'] == ctxt.project_id
        assert not sent_in.get('auth_token')
        assert publisher == 'nova-scheduler:sched-test'
        assert payload['nova_object.name'] == 'RequestSpecPayload'
        assert payload['nova_object.version'] == '1.1'
        data = payload['nova_object.data']
        assert data['instance_uuid'] == instance
        assert data['num_instances'] == 1
        assert data['project_id'] == ctxt.project_id
        assert data['scheduler_hints'] == {'group': ['ab']}
        assert data['force_hosts'] is None
        flavor_payload = data['flavor']
        assert flavor_payload['nova_object.name'] == 'FlavorPayload'
        assert flavor_payload['nova_object.data']['memory_mb'] == 512
        assert flavor_payload['nova_object.data']['extra_specs'] == {
            'hw:cpu_policy': 'shared'}
        image_payload = data['image']['nova_object.data']
        assert image_payload['id'] == spec.image.id
        assert data['pci_requests']['nova_object.data'] == {
            'instance_uuid': instance, 'requests': []}
        sent_in, publisher, legacy = _take(listened['legacy'],
                                           EVENT % phase, instance)
        assert sent_in['request_id'] == ctxt.request_id
        assert publisher == 'scheduler.sched-test'
        request = legacy['request_spec']
        assert request['num_instances'] == 1
        assert request['instance_properties']['uuid'] == instance
        assert request['instance_properties']['memory_mb'] == 512
        assert request['instance_type']['nova_object.name'] == 'Flavor'
        assert request['image']['id'] == spec.image.id


def test_a_request_placement_has_nothing_for_sends_none(
        nova, scheduler_api, ctxt, new_uuids, listened):
    flavor = nova.make_flavor('compat.too-big', vcpus=64, memory_mb=512,
                              root_gb=1)
    [instance] = new_uuids(1)
    spec = nova.make_request_spec(ctxt, flavor, [instance])
    with pytest.raises(nova.NoValidHost):
        scheduler_api.select_destinations(ctxt, spec, [instance],
                                          return_objects=True,
                                          return_alternates=True)
    # As Nova: the start notification follows Placement's candidates.
    for kind in ('versioned', 'legacy'):
        with pytest.raises(queue.Empty):
            _take(listened[kind], EVENT % 'start', instance, timeout=2)
