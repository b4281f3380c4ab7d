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

"""The production topology's components, started on 127.0.0.1.

Placement 16 on a private PostgreSQL cluster, served by gunicorn with
several worker processes; a RabbitMQ cluster of three nodes with quorum
queues; three scheduler-server processes of two workers each. Every row
gets a Placement database of its own and its own scheduler-servers; the
PostgreSQL server and the RabbitMQ cluster serve the whole session.
"""

import concurrent.futures

import pytest

from scheduler.sim import rpc_client
from tests.fixtures.components import scheduler_factory  # noqa: F401
from tests.fixtures import postgresql
from tests.fixtures import rabbitmq
from tests.fixtures import rpc
from tests.fixtures import wsgi_placement
from tests.topology import rows
from tests.topology import settings

PLACEMENT_WORKERS = 3
PLACEMENT_THREADS = 4


def pytest_terminal_summary(terminalreporter):
    rows.MATRIX.report(terminalreporter)


def _serving(component, stop):
    """Start ``component``; ``stop()`` it at teardown, even a failed start."""
    try:
        component.start()
        yield component
    finally:
        stop()


@pytest.fixture(scope='session')
def database():
    cluster = postgresql.PostgreSQLCluster()
    yield from _serving(cluster, cluster.cleanup)


@pytest.fixture(scope='session')
def broker(tmp_path_factory):
    """Three RabbitMQ nodes in one cluster (the fixtures' ``broker``)."""
    cluster = rabbitmq.RabbitMQCluster(
        str(tmp_path_factory.mktemp('rabbitmq')), size=3)
    yield from _serving(cluster, cluster.stop)


@pytest.fixture(scope='session')
def rpc_transport(broker):
    """A caller's transport naming every node, with quorum queues."""
    result = rpc.make_transport(broker.transport_url, quorum_queues=True)
    yield result
    result.cleanup()


@pytest.fixture(scope='session')
def client(rpc_transport):
    return rpc_client.SchedulerClient(rpc_transport,
                                      timeout=settings.CALL_TIMEOUT)


@pytest.fixture
def placement(tmp_path, database, request):
    """A Placement on a database of its own, behind gunicorn."""
    name = 'placement_%s' % abs(hash(request.node.nodeid))
    service = wsgi_placement.GunicornPlacement(
        str(tmp_path / 'placement'), database.create_database(name),
        workers=PLACEMENT_WORKERS, threads=PLACEMENT_THREADS)
    service.sync()
    yield from _serving(service, service.stop)


@pytest.fixture
def schedulers(scheduler_factory):  # noqa: F811 (the fixture)
    """The three scheduler-servers, started together, stopped together.

    (``scheduler_factory`` stops any left running, one by one.)
    """
    with concurrent.futures.ThreadPoolExecutor(len(settings.SERVERS)) as p:
        started = [p.submit(scheduler_factory, host=name,
                            workers=settings.WORKERS,
                            extra_conf=settings.SERVER_CONF)
                   for name in settings.SERVERS]
        servers = [future.result() for future in started]
    yield servers
    with concurrent.futures.ThreadPoolExecutor(len(servers)) as p:
        list(p.map(lambda server: server.stop(), servers))
