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

"""The ``file`` host-facts source in a running scheduler-server.

The operator's YAML gives the hosts' cells and aggregate zones. SIGHUP
restarts the workers (oslo.service's threading backend), which read it
again; a worker that finds it invalid says which entry is wrong and serves
what the service read at start.
"""

import signal
import time

from scheduler.sim import cloud
from tests.fixtures import cloud_hosts
from tests.functional import helpers

CELL_A = 'aaaaaaaa-1111-4111-8111-000000000001'
CELL_B = 'bbbbbbbb-2222-4222-8222-000000000002'
SETTLE_TIMEOUT = 30


def _facts(cell_of_first, zone):
    return '''
aggregates:
  - name: zone
    hosts: [facts-01, facts-02]
    metadata: {availability_zone: %s}
cells:
  - uuid: %s
    hosts: [facts-01]
  - uuid: %s
    hosts: [facts-02]
''' % (zone, cell_of_first, CELL_B if cell_of_first == CELL_A else CELL_A)


def _view(client):
    result = client.select_destinations(
        helpers.context(), helpers.spec(vcpus=1), None,
        return_objects=True, return_alternates=True)
    return {(s.service_host, s.cell_uuid, s.availability_zone)
            for s in result[0]}


def _restarted(service, before, timeout=SETTLE_TIMEOUT):
    """Wait until the workers started after a SIGHUP serve."""
    marker = 'serving topic scheduler'
    deadline = time.monotonic() + timeout
    while (service.logs().count(marker) < before + service.workers and
           time.monotonic() < deadline):
        time.sleep(0.3)
    return service.logs().count(marker) - before


def _settle(client, allowed):
    """Selections seen once every worker answers within ``allowed``."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    seen = _views(client)
    while not seen <= allowed and time.monotonic() < deadline:
        time.sleep(0.3)
        seen = _views(client)
    return seen


def _views(client):
    seen = set()
    for _ in range(6):
        seen |= _view(client)
    return seen


def test_file_facts_reach_selections_and_sighup_reloads_them(
        tmp_path, placement, scheduler_factory, client):
    hosts = cloud_hosts.make_hosts(2, prefix='facts')
    cloud.create_hosts(placement.endpoint, hosts)
    path = tmp_path / 'host_facts.yaml'
    path.write_text(_facts(CELL_A, 'az-file'))
    service = scheduler_factory(extra_conf={
        'host_facts': {'sources': 'file'},
        'host_facts_file': {'path': str(path)}})

    # The chosen host's alternates stay in its cell: one host each.
    first = _view(client)
    assert len(first) == 1
    assert first <= {('facts-01', CELL_A, 'az-file'),
                     ('facts-02', CELL_B, 'az-file')}

    path.write_text(_facts(CELL_B, 'az-new'))
    before = service.logs().count('serving topic scheduler')
    service.process.send_signal(signal.SIGHUP)
    assert _restarted(service, before) == service.workers
    reloaded = {('facts-01', CELL_B, 'az-new'),
                ('facts-02', CELL_A, 'az-new')}
    seen = _settle(client, reloaded)
    assert seen and seen <= reloaded

    path.write_text('cells: [{uuid: not-a-uuid, hosts: [facts-01]}]')
    before = service.logs().count('serving topic scheduler')
    service.process.send_signal(signal.SIGHUP)
    assert _restarted(service, before) == service.workers
    with open(service.log_file) as f:
        logged = f.read()
    assert logged.count('cells[0].uuid must be a UUID') == service.workers
    at_start = {('facts-01', CELL_A, 'az-file'),
                ('facts-02', CELL_B, 'az-file')}
    seen = _settle(client, at_start)
    assert seen and seen <= at_start
    assert service.process.poll() is None
