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

"""What the caller reads of a refusal, and what the operator is told.

A scheduler-server on the real broker and a real Placement: the caller's
NoValidHost names the blocking resource and the largest free amount, no
query string; the ``scheduler.select_destinations.error`` notification on
the broker carries the query strings, each relaxed query and its answer.
"""

import queue

from oslo_config import cfg
import oslo_messaging
import pytest

from scheduler import exception
from scheduler.sim import cloud
from tests.fixtures import cloud_hosts
from tests.functional import helpers

TOPIC = 'diagnosis_notifications'
EVENT = 'scheduler.select_destinations.error'


class _Collect:
    def __init__(self):
        self.received = queue.Queue()

    def error(self, ctxt, publisher_id, event_type, payload, metadata):
        self.received.put((publisher_id, event_type, payload))


@pytest.fixture
def errors_heard(broker):
    conf = cfg.ConfigOpts()
    conf([], project='listener', default_config_files=[],
         default_config_dirs=[])
    transport = oslo_messaging.get_notification_transport(
        conf, url=broker.transport_url)
    heard = _Collect()
    listener = oslo_messaging.get_notification_listener(
        transport, [oslo_messaging.Target(topic=TOPIC)], [heard],
        executor='threading')
    listener.start()
    try:
        yield heard
    finally:
        listener.stop()
        listener.wait()
        transport.cleanup()


def test_caller_reads_the_blocking_resource_operator_gets_the_queries(
        placement, scheduler_factory, client, errors_heard):
    cloud.create_hosts(placement.endpoint,
                       cloud_hosts.make_hosts(2, vcpus=4, memory_mb=8192))
    scheduler_factory(workers=1, extra_conf={
        'oslo_messaging_notifications': {'driver': 'messagingv2',
                                         'topics': TOPIC}})
    with pytest.raises(exception.NoValidHost) as err:
        client.select_destinations(
            helpers.context(), helpers.spec(vcpus=1, memory_mb=16384),
            helpers.uuids(1), return_objects=True)
    assert err.value.reason == (
        'Placement has no candidate for VCPU:1, MEMORY_MB:16384, '
        'DISK_GB:10: 2 providers have room for VCPU:1, DISK_GB:10 but none '
        'has MEMORY_MB:16384 free (largest free 8,192)')
    publisher, event, payload = errors_heard.received.get(timeout=30)
    assert (publisher, event) == ('scheduler.sched-test', EVENT)
    assert payload['reason'].startswith(err.value.reason + '; query ')
    assert ('relaxed MEMORY_MB:16384: resources=DISK_GB:10,VCPU:1'
            in payload['reason'])
    assert payload['request_spec']['instance_type']
