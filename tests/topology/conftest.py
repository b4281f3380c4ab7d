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
several worker processes; one RabbitMQ node; scheduler-server processes.
"""

import pytest

from tests.fixtures.components import broker  # noqa: F401
from tests.fixtures.components import rpc_transport  # noqa: F401
from tests.fixtures.components import scheduler_factory  # noqa: F401
from tests.fixtures import postgresql
from tests.fixtures import wsgi_placement

PLACEMENT_WORKERS = 3
PLACEMENT_THREADS = 4


@pytest.fixture(scope='session')
def database():
    cluster = postgresql.PostgreSQLCluster()
    cluster.start()
    yield cluster
    cluster.cleanup()


@pytest.fixture
def placement(tmp_path, database, request):
    """A Placement on a database of its own, behind gunicorn."""
    name = 'placement_%s' % abs(hash(request.node.nodeid))
    service = wsgi_placement.GunicornPlacement(
        str(tmp_path / 'placement'), database.create_database(name),
        workers=PLACEMENT_WORKERS, threads=PLACEMENT_THREADS)
    service.sync()
    service.start()
    yield service
    service.stop()
