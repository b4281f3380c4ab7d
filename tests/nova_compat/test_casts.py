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

"""The fanout casts nova-api and nova-compute send the scheduler.

A cast has no reply, so the test looks at what a caller would notice
next: the service still runs, still consumes, did not log an unexpected
error for any cast, and still answers select_destinations.
"""

import time

from tests.nova_compat import layout

CAST_SETTLE_SECONDS = 2


def test_casts_from_nova_do_not_disturb_the_service(
        nova, scheduler_api, scheduler_service, ctxt, new_uuids, hosts,
        log_watch):
    host_name = hosts[0].name
    flavor = nova.make_flavor('compat.cast', vcpus=1, memory_mb=256,
                              root_gb=1)
    admin = ctxt.elevated()
    instances = nova.make_instance_list(ctxt, host_name, flavor)
    aggregate = nova.make_aggregate(
        'compat-agg', [h.name for h in hosts[:2]],
        {'availability_zone': 'compat-az'})

    scheduler_api.update_aggregates(ctxt, [aggregate])
    scheduler_api.update_instance_info(admin, host_name, instances)
    scheduler_api.delete_instance_info(admin, host_name,
                                       instances[0].uuid)
    scheduler_api.sync_instance_info(admin, host_name,
                                     [i.uuid for i in instances])
    scheduler_api.delete_aggregate(ctxt, aggregate)
    time.sleep(CAST_SETTLE_SECONDS)

    assert scheduler_service.process.poll() is None
    assert scheduler_service.consumers() >= layout.WORKERS
    logged = log_watch.new_text()
    for marker in layout.UNEXPECTED_LOG_MARKERS:
        assert marker not in logged
    [instance] = new_uuids(1)
    spec = nova.make_request_spec(ctxt, flavor, [instance])
    result = scheduler_api.select_destinations(
        ctxt, spec, [instance], return_objects=True,
        return_alternates=True)
    assert type(result[0][0]) is nova.Selection
