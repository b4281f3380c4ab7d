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

"""Nova's fanout casts reach every worker of every scheduler-server.

Each worker keeps its own copy of the facts the casts carry, so a cast
must reach all six (three servers of two workers), through the cluster,
whichever node each worker is connected to.
"""

import uuid

from tests.fixtures import records
from tests.functional import helpers
from tests.topology import scenario
from tests.topology import settings

CAST_TIMEOUT = 30


def _received(server, method):
    return server.logs().count('Cast %s received' % method)


def test_fanout_casts_reach_every_worker_of_every_server(schedulers,
                                                         client):
    ctxt = helpers.context()
    client.update_aggregates(ctxt, [records.aggregate(
        id=1, uuid=str(uuid.uuid4()), name='agg1', hosts=['topo-01'])])
    client.update_instance_info(ctxt, 'topo-01', records.instances(
        str(uuid.uuid4())))

    for method in ('update_aggregates', 'update_instance_info'):
        assert scenario.wait_until(
            lambda: all(_received(s, method) >= settings.WORKERS
                        for s in schedulers), CAST_TIMEOUT), (
            method, [_received(s, method) for s in schedulers])
