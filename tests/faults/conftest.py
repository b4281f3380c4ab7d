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

import secrets

import pytest

from scheduler.sim import placement_server
from tests.faults import matrix
from tests.fixtures import fault_proxy
from tests.fixtures import rabbitmq
from tests.fixtures import rpc
from tests.fixtures import server

# Secrets every row uses; no log line or answer of the suite may hold one
# (test_secrets.py looks). noauth2 takes "admin:<anything>" as admin.
SECRETS = {
    'auth_token': 'ctx-token-%s' % secrets.token_hex(12),
    'catalog url': 'https://catalog-%s.example.org/v3' % secrets.token_hex(6),
    'placement token': secrets.token_hex(12),
    'placement password': 'pw-%s' % secrets.token_hex(12),
}


def remember_secret(name, value):
    SECRETS[name] = value


# What the service gets in [placement]: a short timeout so a stalled
# Placement costs seconds, one connection retry, two status retries.
PLACEMENT_CONF = {'token': 'admin:%s' % SECRETS['placement token'],
                  'timeout': 3, 'connect_retries': 1,
                  'status_code_retries': 2, 'connect_retry_delay': 0.2,
                  'status_code_retry_delay': 0.2}
# The matrix tests the path to Placement, not the plugins: name the
# built-in ones, so plugins being added elsewhere cannot change a row.
PLUGIN_CONF = {'enabled_filters': 'ComputeFilter',
               'weight_classes': 'RAMWeigher,CPUWeigher,DiskWeigher'}


def pytest_terminal_summary(terminalreporter):
    rows = matrix.rows()
    if not rows:
        return
    terminalreporter.section('fault matrix')
    for line in matrix.table(rows):
        terminalreporter.write_line(line)


@pytest.fixture(scope='session')
def broker(tmp_path_factory):
    node = rabbitmq.RabbitMQBroker(str(tmp_path_factory.mktemp('rabbitmq')))
    remember_secret('broker password', node.password)
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
        extra = {'placement': dict(PLACEMENT_CONF),
                 'filter_scheduler': dict(PLUGIN_CONF)}
        for group, values in (extra_conf or {}).items():
            extra.setdefault(group, {}).update(values)
        return fleet.start(host, workers, extra, endpoint)

    yield start
    fleet.stop_all()


@pytest.fixture(scope='session')
def rpc_transport(broker):
    result = rpc.make_transport(broker.transport_url)
    yield result
    result.cleanup()


@pytest.fixture(scope='session')
def client(rpc_transport):
    from scheduler.sim import rpc_client
    return rpc_client.SchedulerClient(rpc_transport, timeout=60)
