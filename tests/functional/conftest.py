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

"""Real components for functional tests: RabbitMQ, Placement, the server.

One RabbitMQ node serves the whole session (a node takes ~5 s to start);
each test gets a Placement database and scheduler-server of its own, so
capacity and allocations never leak from one test into the next.
"""


import pytest

from scheduler.sim import placement_server
from tests.fixtures import rabbitmq
from tests.fixtures import rpc
from tests.fixtures import server


@pytest.fixture(scope='session')
def broker(tmp_path_factory):
    node = rabbitmq.RabbitMQBroker(str(tmp_path_factory.mktemp('rabbitmq')))
    node.start()
    yield node
    node.stop()


@pytest.fixture
def placement(tmp_path):
    workdir = tmp_path / 'placement'
    workdir.mkdir()
    service = placement_server.PlacementServer(str(workdir))
    service.start()
    yield service
    service.stop()


@pytest.fixture
def scheduler_factory(tmp_path, broker, placement):
    """Start scheduler-server processes; all are stopped at teardown."""
    fleet = server.ServerFleet(tmp_path, broker, placement.endpoint)
    yield fleet.start
    fleet.stop_all()


@pytest.fixture(scope='session')
def rpc_transport(broker):
    """Our client's transport on the broker, as a conductor would have."""
    result = rpc.make_transport(broker.transport_url)
    yield result
    result.cleanup()


@pytest.fixture
def client(rpc_transport):
    from scheduler.sim import rpc_client
    return rpc_client.SchedulerClient(rpc_transport, timeout=60)
