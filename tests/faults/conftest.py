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

"""Real components for the fault matrix, and the printing of the matrix.

One RabbitMQ node serves the session. Each test module gets a real
Placement with a ``FaultProxy`` in front of it and scheduler-server
processes that reach Placement only through the proxy, so a test can
break the path while checking the truth in Placement directly.
"""

import pytest

from scheduler.sim import placement_server
from tests.faults import matrix
from tests.faults import settings
from tests.fixtures.components import rpc_transport  # noqa: F401
from tests.fixtures import fault_proxy
from tests.fixtures import rabbitmq
from tests.fixtures import server


def pytest_terminal_summary(terminalreporter):
    matrix.MATRIX.report(terminalreporter)


@pytest.fixture(scope='session')
def broker(tmp_path_factory):
    node = rabbitmq.RabbitMQBroker(str(tmp_path_factory.mktemp('rabbitmq')))
    settings.remember_secret('broker password', node.password)
    node.start()
    yield node
    node.stop()


@pytest.fixture(scope='module')
def placement(tmp_path_factory):
    workdir = tmp_path_factory.mktemp('placement')
    service = placement_server.PlacementServer(str(workdir))
    service.start()
    yield service
    service.stop()


@pytest.fixture(scope='module')
def proxy(placement):
    with fault_proxy.FaultProxy(placement.endpoint) as p:
        yield p


@pytest.fixture(scope='module')
def server_factory(tmp_path_factory, broker, proxy):
    """scheduler-server processes reaching Placement through the proxy."""
    fleet = server.ServerFleet(tmp_path_factory.mktemp('servers'), broker,
                               proxy.endpoint)

    def start(host='sched-faults', workers=2, extra_conf=None,
              endpoint=None):
        extra = {'placement': dict(settings.PLACEMENT_CONF),
                 'filter_scheduler': dict(settings.PLUGIN_CONF)}
        for group, values in (extra_conf or {}).items():
            extra.setdefault(group, {}).update(values)
        return fleet.start(host, workers, extra, endpoint)

    yield start
    fleet.stop_all()


@pytest.fixture(scope='session')
def client(rpc_transport):  # noqa: F811 (the fixture)
    from scheduler.sim import rpc_client
    return rpc_client.SchedulerClient(rpc_transport, timeout=60)
