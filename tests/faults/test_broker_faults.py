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

"""RabbitMQ stopped and restarted while calls are in flight.

The calls are held in a slow Placement (through the fault proxy) when the
broker goes away. Each in-flight call then either completes or its caller
times out cleanly (MessagingTimeout, nothing else); no instance is ever
claimed twice; the server reconnects by itself (its workers consume again
without a restart) and serves the next request.
"""

import threading
import time

import oslo_messaging
import pytest

from scheduler.rpc import transport
from scheduler.sim import cloud
from scheduler.sim import rpc_client
from tests.faults import checks
from tests.faults import matrix
from tests.faults import settings
from tests.fixtures import cloud_hosts
from tests.fixtures import fault_proxy
from tests.fixtures import rabbitmq
from tests.fixtures import server
from tests.functional import helpers

IN_FLIGHT = 8
CALL_TIMEOUT = 20
RECONNECT_TIMEOUT = 120


@pytest.fixture(scope='module')
def own_broker(tmp_path_factory):
    # A node of its own: stopping it must not disturb the other rows.
    node = rabbitmq.RabbitMQBroker(str(tmp_path_factory.mktemp('rmq-own')))
    settings.remember_secret('own broker password', node.password)
    node.start()
    yield node
    node.stop()


def test_broker_restart_with_calls_in_flight(tmp_path, own_broker,
                                             placement, proxy,
                                             rpc_transport):
    hosts = cloud_hosts.make_hosts(2, vcpus=16, prefix='bus')
    cloud.create_hosts(placement.endpoint, hosts)
    proc = server.SchedulerServerProcess(
        str(tmp_path / 'server'), own_broker, proxy.endpoint,
        host='sched-broker', workers=2,
        extra_conf={'placement': dict(settings.PLACEMENT_CONF),
                    'filter_scheduler': dict(settings.PLUGIN_CONF)})
    proc.start()
    # rpc_transport has parsed cfg.CONF, as a caller's service would.
    rpc = transport.get_transport(rpc_transport.conf,
                                  url=own_broker.transport_url)
    client = rpc_client.SchedulerClient(rpc, timeout=CALL_TIMEOUT)
    try:
        first = checks.call(client)
        assert first.ok, (first.refusal, first.error)
        checks.release(placement, [first])
        proxy.inject(fault_proxy.Fault('slow', seconds=2,
                                       path='/allocation_candidates'))
        outcomes = []
        threads = [threading.Thread(
            target=lambda: outcomes.append(checks.call(client)))
            for _ in range(IN_FLIGHT)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        own_broker.stop()
        own_broker.start()
        proxy.clear()
        for t in threads:
            t.join(timeout=CALL_TIMEOUT + 30)

        # The workers consume again by themselves...
        fault_proxy.wait_until(lambda: proc.consumers() >= proc.workers,
                               RECONNECT_TIMEOUT, interval=0.5)
        reconnected = proc.consumers() >= proc.workers
        # ... and serve the next request.
        after = checks.call(client)
    finally:
        proxy.clear()
        rpc.cleanup()
        proc.stop()

    twice = sum(len(helpers.allocations(placement, c)) > 1
                for o in outcomes for c in o.consumers)
    lost = [o for o in outcomes if o.error is not None]
    held_by_lost = sum(bool(helpers.allocations(placement, c))
                       for o in lost for c in o.consumers)
    answered = [o for o in outcomes if o.error is None]
    row = matrix.record(matrix.Row(
        fault='RabbitMQ restarted, %d calls in flight (%d answers lost, '
        '%d of those claimed)' % (IN_FLIGHT, len(lost), held_by_lost),
        requests=len(outcomes) + 1,
        succeeded=sum(o.ok for o in outcomes + [after]),
        no_valid_host=sum(o.refusal is not None for o in outcomes + [after]),
        errors=len(lost) + (after.error is not None),
        leaked=twice + checks.leaked(placement, answered),
        overcommit=checks.overcommitted(placement, hosts),
        alive=reconnected and after.ok and proc.process.returncode == 0,
        slowest=max(o.seconds for o in outcomes)))
    checks.release(placement, outcomes + [after])
    checks.release_all(placement, hosts)

    assert len(outcomes) == IN_FLIGHT
    for outcome in lost:
        assert isinstance(outcome.error, oslo_messaging.MessagingTimeout), (
            outcome.error)
    assert reconnected, 'the workers did not consume again'
    assert after.ok, after.refusal or after.error
    assert row.leaked == 0
    assert row.overcommit == 0
    assert row.alive
