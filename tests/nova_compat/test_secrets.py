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

"""The service never logs the caller's token, catalog or bus password.

Nova's context dict carries ``auth_token`` and ``service_catalog`` in
clear; the service runs with debug logging here, so any leak shows.
"""

import pytest


def test_service_logs_no_token_catalog_or_transport_password(
        nova, scheduler_api, scheduler_service, broker, ctxt, new_uuids,
        hosts, secret_values, log_watch):
    flavor = nova.make_flavor('compat.secret', vcpus=1, memory_mb=256,
                              root_gb=1)
    instances = new_uuids(1)
    scheduler_api.select_destinations(
        ctxt, nova.make_request_spec(ctxt, flavor, instances), instances,
        return_objects=True, return_alternates=True)
    huge = nova.make_flavor('compat.secret-huge', vcpus=1024,
                            memory_mb=256, root_gb=1)
    failing = new_uuids(1)
    with pytest.raises(nova.NoValidHost):
        scheduler_api.select_destinations(
            ctxt, nova.make_request_spec(ctxt, huge, failing), failing,
            return_objects=True, return_alternates=True)
    scheduler_api.update_instance_info(
        ctxt.elevated(), hosts[0].name,
        nova.make_instance_list(ctxt, hosts[0].name, flavor, count=1))

    # The service did log about these calls (debug is on) ...
    assert log_watch.new_text(settle=2)
    # ... and nowhere, in this test or any before it, a secret.
    logs = scheduler_service.logs()
    assert secret_values['auth_token'] not in logs
    assert secret_values['catalog_url'] not in logs
    assert broker.password not in logs
