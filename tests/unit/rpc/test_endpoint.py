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

"""Endpoint and client end to end over oslo.messaging's ``fake://``.

Each call costs one poll of the fake driver (up to 50 ms), and stopping a
server about a second (its thread pool's shutdown), so one server serves
the whole module and every test makes as few round trips as it can.
"""

import logging
import threading
import types

from oslo_config import cfg
from oslo_context import context as oslo_context
import oslo_messaging
import pytest

from scheduler import conf as scheduler_conf
from scheduler import exception
from scheduler.host_state import facts
from scheduler.objects import selection
from scheduler.rpc import payloads
from scheduler.rpc import primitives
from scheduler.rpc import server as rpc_server
from scheduler.sim import rpc_client
from tests.unit.rpc import nova_wire

CONF = scheduler_conf.CONF
CELL_UUID = '0b6b1a3e-2f2d-4e2e-8a8a-444444444444'
REFUSE_MEMORY_MB = 999999
CASTS = 5


def _host_uuid(i):
    return '00000000-0000-4000-8000-%012d' % i


class FakeManager:
    """Records calls; gives each instance three hosts (first = chosen)."""

    def __init__(self):
        self.calls = []
        self.casts = []
        self.casts_done = threading.Semaphore(0)

    def select_destinations(self, context, spec, instance_uuids,
                            return_alternates, on_candidates=None):
        self.calls.append((context, spec, instance_uuids, return_alternates))
        if spec.flavor.memory_mb == REFUSE_MEMORY_MB:
            raise exception.NoValidHost('0/3 hosts have enough RAM')
        count = len(instance_uuids) if instance_uuids else spec.num_instances
        per_instance = 3 if return_alternates else 1
        result = []
        for i in range(count):
            hosts = [types.SimpleNamespace(
                uuid=_host_uuid(10 * i + j), host='host%d' % j,
                nodename='node%d' % j, cell_uuid=CELL_UUID,
                availability_zone='az1') for j in range(per_instance)]
            result.append([selection.Selection.from_host(
                h, {'allocations': {h.uuid: {'resources': {'VCPU': 1}}}},
                '1.36') for h in hosts])
        return result

    def _cast(self, *args):
        self.casts.append(args)
        self.casts_done.release()

    def update_aggregates(self, context, aggregates):
        self._cast('update_aggregates', aggregates)

    def delete_aggregate(self, context, aggregate):
        self._cast('delete_aggregate', aggregate)

    def update_instance_info(self, context, host_name, instance_info):
        self._cast('update_instance_info', host_name, instance_info)

    def delete_instance_info(self, context, host_name, instance_uuid):
        self._cast('delete_instance_info', host_name, instance_uuid)

    def sync_instance_info(self, context, host_name, instance_uuids):
        self._cast('sync_instance_info', host_name, instance_uuids)


@pytest.fixture(scope='module')
def running_server():
    """A started RPC server on fake://, its transport and its manager."""
    CONF.set_override('max_instances_per_request', 5, group='scheduler')
    transport = oslo_messaging.get_rpc_transport(cfg.CONF, url='fake://')
    endpoint_manager = types.SimpleNamespace(current=None)
    server = rpc_server.build_rpc_server(
        CONF, _Delegate(endpoint_manager), transport=transport)
    server.start()
    yield types.SimpleNamespace(holder=endpoint_manager,
                                transport=transport, server=server)
    server.stop()
    server.wait()
    transport.cleanup()
    CONF.clear_override('max_instances_per_request', group='scheduler')


class _Delegate:
    """Forwards every call to the FakeManager of the current test."""

    def __init__(self, holder):
        self._holder = holder

    def __getattr__(self, name):
        return getattr(self._holder.current, name)


@pytest.fixture
def served(running_server):
    """The module's server, with a fresh FakeManager for this test."""
    running_server.holder.current = FakeManager()
    return types.SimpleNamespace(manager=running_server.holder.current,
                                 transport=running_server.transport,
                                 server=running_server.server)


def _context():
    return oslo_context.RequestContext(user_id='u', project_id='p',
                                       auth_token='secret-token',
                                       request_id='req-42')


def _spec(memory_mb=2048):
    return primitives.request_spec_from_primitive(
        nova_wire.request_spec(flavor=nova_wire.flavor(memory_mb=memory_mb)))


def test_server_listens_on_scheduler_topic_as_this_host_api_4_5(served):
    assert served.server.executor_type == 'threading'
    target = served.server._target
    assert (target.topic, target.server, target.version) == (
        'scheduler', CONF.host, '4.5')


def test_return_objects_with_alternates_gives_selection_lists(served):
    client = rpc_client.SchedulerClient(served.transport)

    result = client.select_destinations(
        _context(), _spec(), ['i1', 'i2'], return_objects=True,
        return_alternates=True)

    assert [[s.service_host for s in choices] for choices in result] == [
        ['host0', 'host1', 'host2']] * 2
    assert isinstance(result[0][0], selection.Selection)
    assert result[1][0].compute_node_uuid == _host_uuid(10)
    context, spec, uuids, alternates = served.manager.calls[0]
    assert spec == _spec()
    assert uuids == ['i1', 'i2'] and alternates is True
    assert context.request_id == 'req-42'
    assert context.auth_token is None


def test_return_objects_without_alternates_gives_chosen_host_only(served):
    client = rpc_client.SchedulerClient(served.transport)

    result = client.select_destinations(
        _context(), nova_wire.request_spec(), ['i1'], return_objects=True)

    assert [[s.nodename for s in choices] for choices in result] == [
        ['node0']]
    assert served.manager.calls[0][3] is False


def test_a_spec_without_user_is_claimed_for_the_callers_user(served):
    client = rpc_client.SchedulerClient(served.transport)
    spec = nova_wire.request_spec()
    del spec['nova_object.data']['user_id']

    client.select_destinations(_context(), spec, ['i1'], return_objects=True)

    assert served.manager.calls[0][1].user_id == 'u'
    assert served.manager.calls[0][1].project_id == 'p'


def test_api_4_4_caller_gets_host_dicts(served):
    client = rpc_client.SchedulerClient(served.transport, version_cap='4.4')

    result = client.select_destinations(_context(), _spec(), ['i1'])

    assert result == [{'host': 'host0', 'nodename': 'node0', 'limits': {}}]
    assert served.manager.calls[0][2:] == (['i1'], False)


def test_api_4_0_caller_sends_legacy_dicts_that_are_read(served):
    client = rpc_client.SchedulerClient(served.transport, version_cap='4.0')

    result = client.select_destinations(
        _context(), nova_wire.request_spec(num_instances=2), None)

    assert [d['host'] for d in result] == ['host0', 'host0']
    _, spec, uuids, _ = served.manager.calls[0]
    assert uuids is None
    assert spec.num_instances == 2
    assert spec.flavor == _spec().flavor
    assert spec.retry_hosts == ['h9']


def test_client_refuses_objects_beyond_its_version_cap(served):
    client = rpc_client.SchedulerClient(served.transport, version_cap='4.4')

    with pytest.raises(exception.InvalidRequest):
        client.select_destinations(_context(), _spec(), ['i1'],
                                   return_objects=True)
    assert served.manager.calls == []


def test_no_valid_host_reaches_caller_with_reason_and_no_traceback(
        served, caplog):
    client = rpc_client.SchedulerClient(served.transport)

    with caplog.at_level(logging.DEBUG, logger='oslo_messaging'):
        with pytest.raises(exception.NoValidHost) as raised:
            client.select_destinations(
                _context(), _spec(memory_mb=REFUSE_MEMORY_MB), ['i1'],
                return_objects=True, return_alternates=True)

    assert raised.value.reason == '0/3 hosts have enough RAM'
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert 'Expected exception' in caplog.text


def test_malformed_payload_is_refused_and_next_call_is_served(served):
    client = rpc_client.SchedulerClient(served.transport)
    bad = nova_wire.request_spec(flavor=nova_wire.flavor(memory_mb=-1))

    with pytest.raises(exception.NoValidHost) as raised:
        client.select_destinations(_context(), bad, ['i1'],
                                   return_objects=True)
    result = client.select_destinations(
        _context(), _spec(), ['i1'], return_objects=True)

    assert raised.value.reason == (
        'invalid request: spec_obj.flavor.memory_mb must be >= 0, got -1')
    assert result[0][0].service_host == 'host0'
    assert len(served.manager.calls) == 1


def test_too_many_instances_are_refused(served):
    client = rpc_client.SchedulerClient(served.transport)

    with pytest.raises(exception.NoValidHost) as raised:
        client.select_destinations(_context(), _spec(), ['i'] * 6,
                                   return_objects=True)

    assert 'max_instances_per_request' in raised.value.reason
    assert served.manager.calls == []


def test_fanout_casts_reach_manager_as_records(served):
    client = rpc_client.SchedulerClient(served.transport)
    ctxt = _context()
    aggregate = facts.AggregateFacts(uuid='agg-1', id=1, name='a',
                                     hosts=frozenset(['h1']))
    info = facts.InstanceFacts(uuid='i1', project_id='p')

    client.update_aggregates(ctxt, ['not an aggregate'])  # dropped
    client.update_aggregates(ctxt, [aggregate])
    client.delete_aggregate(ctxt, nova_wire.aggregate())
    client.update_instance_info(ctxt, 'h1', [info])
    client.delete_instance_info(ctxt, 'h1', 'i1')
    client.sync_instance_info(ctxt, 'h1', ['i1', 'i2'])
    for _ in range(CASTS):
        assert served.manager.casts_done.acquire(timeout=5)

    assert served.manager.casts == [
        ('update_aggregates', [aggregate]),
        ('delete_aggregate', payloads.aggregate_from_wire(
            nova_wire.aggregate())),
        ('update_instance_info', 'h1', [info]),
        ('delete_instance_info', 'h1', 'i1'),
        ('sync_instance_info', 'h1', ['i1', 'i2']),
    ]
