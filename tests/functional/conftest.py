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
from tests.fixtures.components import broker  # noqa: F401
from tests.fixtures.components import rpc_transport  # noqa: F401
from tests.fixtures.components import scheduler_factory  # noqa: F401


@pytest.fixture
def placement(tmp_path):
    workdir = tmp_path / 'placement'
    workdir.mkdir()
    service = placement_server.PlacementServer(str(workdir))
    service.start()
    yield service
    service.stop()


@pytest.fixture
def client(rpc_transport):  # noqa: F811 (the fixture)
    from scheduler.sim import rpc_client
    return rpc_client.SchedulerClient(rpc_transport, timeout=60)
