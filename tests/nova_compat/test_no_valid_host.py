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

"""NoValidHost reaches Nova's caller as nova.exception.NoValidHost.

The reason travels in the exception's kwargs, so conductor's
``format_message()`` tells the user why; a request that fails part-way
leaves nothing claimed in Placement.
"""

import pytest

from tests.nova_compat import layout

PREFIX = 'No valid host was found.'


def _reason(exc):
    assert 'reason' in exc.kwargs
    reason = exc.kwargs['reason']
    assert reason and reason.strip()
    assert exc.format_message() == '%s %s' % (PREFIX, reason)
    return reason


def test_flavor_larger_than_any_host_raises_nova_no_valid_host(
        nova, scheduler_api, ctxt, new_uuids, placement_api, log_watch):
    flavor = nova.make_flavor(
        'compat.huge', vcpus=layout.HOST_INVENTORY['VCPU'] * 16,
        memory_mb=512, root_gb=1)
    [instance] = new_uuids(1)
    spec = nova.make_request_spec(ctxt, flavor, [instance])

    with pytest.raises(nova.NoValidHost) as caught:
        scheduler_api.select_destinations(
            ctxt, spec, [instance], return_objects=True,
            return_alternates=True)

    reason = _reason(caught.value)
    # The reason names what could not be found, not just "no host".
    assert 'VCPU' in reason, reason
    assert layout.allocations_of(placement_api, instance) == {}
    logged = log_watch.new_text()
    for marker in layout.UNEXPECTED_LOG_MARKERS:
        assert marker not in logged


def test_more_instances_than_fit_raises_and_leaves_no_allocations(
        nova, scheduler_api, ctxt, new_uuids, placement_api, hosts):
    # Each host takes exactly one of these; ask for one more than hosts.
    flavor = nova.make_flavor(
        'compat.large', vcpus=layout.HOST_INVENTORY['VCPU'] - 1,
        memory_mb=1024, root_gb=10)
    instances = new_uuids(len(hosts) + 1)
    spec = nova.make_request_spec(ctxt, flavor, instances)
    before = layout.total_usage(placement_api, hosts)
    assert not any(before.values()), before

    with pytest.raises(nova.NoValidHost) as caught:
        scheduler_api.select_destinations(
            ctxt, spec, instances, return_objects=True,
            return_alternates=True)

    _reason(caught.value)
    for instance in instances:
        assert layout.allocations_of(placement_api, instance) == {}
    after = layout.total_usage(placement_api, hosts)
    assert not any(after.values()), after
