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

"""One RabbitMQ node SIGKILLed under load, then restarted.

The node killed is the first of the transport_url, the one every client
and server connected to first, so every connection must fail over. The
calls in flight are answered or fail with a clear error (their reply
queue may have died with the node: MessagingTimeout); the scheduler
workers consume again through the two other nodes by themselves (quorum
queues keep the topic queues with two of three), a request sent then is
placed, and one sent after the node is back too. Nothing is claimed twice
or half.
"""

from scheduler.sim import cloud
from tests.topology import audit
from tests.topology import rows
from tests.topology import scenario

REQUESTS = 400
HOSTS, HOST_VCPUS = 20, 40
FAILOVER_TIMEOUT = 120
CALL_TIMEOUT = 30


def _consuming(schedulers):
    return all(s.consumers() >= s.workers for s in schedulers)


def test_rabbitmq_node_killed_mid_load_others_keep_serving(
        placement, schedulers, broker, client):
    hosts = audit.make_hosts(HOSTS, HOST_VCPUS)
    cloud.create_hosts(placement.endpoint, hosts)
    node = broker.nodes[0]
    seen = {}

    def fault():
        node.kill()
        seen['failed over'] = scenario.wait_until(
            lambda: _consuming(schedulers), FAILOVER_TIMEOUT)
        seen['during'] = scenario.probe(client)
        node.start()
        seen['rejoined'] = len(broker.running_nodes()) == len(broker.nodes)

    answers, _ = scenario.run(broker, REQUESTS, fault,
                              timeout=CALL_TIMEOUT)
    scenario.wait_until(lambda: _consuming(schedulers), FAILOVER_TIMEOUT)
    after = scenario.probe(client)
    row, found = rows.record_fault(
        'RabbitMQ node SIGKILLed mid-load, restarted', placement.endpoint,
        hosts, answers, [seen['during'], after])

    assert seen['failed over'], 'the workers did not consume again'
    assert seen['during'].placed, seen['during']
    assert seen['rejoined']
    rows.check_fault(row, found, answers, [seen['during'], after])
    assert all(s.process.poll() is None for s in schedulers)
