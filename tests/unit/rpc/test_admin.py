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

"""The operators' endpoint: what a running worker heard since start."""

import time

from oslo_config import cfg
from oslo_context import context as oslo_context
import oslo_messaging
import pytest

from scheduler.cmd import status
from scheduler.drivers import base as drivers_base
from scheduler import manager as scheduler_manager
from scheduler.rpc import admin
from scheduler.rpc import server as rpc_server
from scheduler.sim import rpc_client
from tests.fixtures import conf as test_conf
from tests.fixtures import records

WAIT = 10


class _NoDriver(drivers_base.Scheduler):
    def select_destinations(self, context, spec, instance_uuids=None,
                            return_alternates=False, on_candidates=None):
        raise AssertionError('not called here')


@pytest.fixture
def served():
    conf = test_conf.make_conf()
    manager = scheduler_manager.SchedulerManager(conf=conf,
                                                 driver=_NoDriver(conf))
    transport = oslo_messaging.get_rpc_transport(cfg.CONF, url='fake://')
    server = rpc_server.build_rpc_server(conf, manager, transport=transport)
    server.start()
    yield transport, manager
    server.stop()
    server.wait()
    transport.cleanup()


def _report_when(transport, done):
    deadline = time.monotonic() + WAIT
    while True:
        report = admin.host_facts_report(transport, WAIT)
        if done(report) or time.monotonic() > deadline:
            return report
        time.sleep(0.1)


def test_report_says_what_the_casts_told_since_start(served):
    transport, _ = served
    before = admin.host_facts_report(transport, WAIT)
    assert before['rpc']['aggregates'] is None
    assert before['rpc']['complete'] == [] == before['rpc']['partial']
    assert 'no update_aggregates cast' in before['aggregates_unknown']

    client = rpc_client.SchedulerClient(transport)
    ctxt = oslo_context.RequestContext(user_id='u', project_id='p')
    client.update_aggregates(ctxt, [records.aggregate(
        id=1, uuid='agg-1', hosts=['compute-1'],
        metadata={'availability_zone': 'az1'})])
    client.sync_instance_info(ctxt, 'compute-1', ['i-1'])
    # One instance from a host not heard of is not its whole list.
    client.update_instance_info(ctxt, 'compute-2',
                                records.instances('i-2'))
    report = _report_when(transport, lambda r: r['rpc']['partial'])

    assert report['rpc']['aggregates'] == 1
    assert report['aggregates_unknown'] is None
    assert report['rpc']['complete'] == ['compute-1']
    assert report['rpc']['partial'] == ['compute-2']
    line = status.describe_heard(report)
    assert '1 aggregate(s) from casts' in line
    assert 'whole instance lists from 1 host(s), partial from 1 ' \
           '(compute-2)' in line


def test_a_caller_without_admin_context_is_refused(served):
    _, manager = served
    endpoint = admin.AdminEndpoint(manager)
    # Expected: the server answers it without logging a traceback.
    with pytest.raises(oslo_messaging.ExpectedException) as refused:
        endpoint.host_facts_report({'is_admin': False, 'roles': ['member']})
    assert isinstance(refused.value.exc_info[1], admin.Forbidden)
    assert endpoint.host_facts_report({'roles': ['admin']})['rpc']


def test_status_says_so_when_no_service_answers(monkeypatch):
    monkeypatch.setattr(status, 'SERVICE_TIMEOUT', 0.5)
    # The global conf, as the service's: oslo.messaging registers its
    # tracing options there only.
    conf = cfg.CONF
    oslo_messaging.get_rpc_transport(conf, url='fake://').cleanup()
    conf.set_override('transport_url', 'fake://')
    try:
        outcome = status.check_running_service(conf)
    finally:
        conf.clear_override('transport_url')
    assert outcome.code == status.SUCCESS
    assert 'no scheduler-server answered (MessagingTimeout' in \
        outcome.details
