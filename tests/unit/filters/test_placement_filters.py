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

"""IsolatedHostsFilter, AvailabilityZoneFilter, ComputeFilter's facts."""

import pytest

from scheduler.filters import availability_zone_filter as azf
from scheduler.filters import compute_filter
from scheduler.filters import isolated_hosts_filter as ihf
from tests.unit.filters import helpers as h


def _hosts():
    return [h.host('iso'), h.host('plain')]


@pytest.mark.parametrize('restrict,image,expected', [
    (True, 'isolated-image', ['iso']),
    (True, 'other-image', ['plain']),
    (False, 'isolated-image', ['iso']),
    (False, 'other-image', ['iso', 'plain']),
])
def test_isolated_hosts_follow_nova_result_matrix(restrict, image, expected):
    flt = ihf.IsolatedHostsFilter(conf=h.conf(
        isolated_hosts=['iso'], isolated_images=['isolated-image'],
        restrict_isolated_hosts_to_isolated_images=restrict))
    assert h.passing(flt, _hosts(), h.spec(image_id=image)) == expected


@pytest.mark.parametrize('restrict,expected', [
    (True, ['plain']), (False, ['iso', 'plain'])])
def test_isolated_hosts_without_isolated_images(restrict, expected):
    flt = ihf.IsolatedHostsFilter(conf=h.conf(
        isolated_hosts=['iso'],
        restrict_isolated_hosts_to_isolated_images=restrict))
    assert h.passing(flt, _hosts(), h.spec(image_id='x')) == expected


def test_availability_zone_filter_keeps_the_requested_zone():
    hosts = [h.host('a', zone='az1'), h.host('b', zone='az2'),
             h.host('c', zone=None)]
    flt = azf.AvailabilityZoneFilter(conf=h.conf())
    assert h.passing(flt, hosts, h.spec(availability_zone='az2')) == ['b']
    assert h.passing(flt, hosts, h.spec()) == ['a', 'b', 'c']


def test_compute_filter_fails_disabled_down_or_unknown_services():
    hosts = [
        h.host('up', compute=h.compute(service_up=True,
                                       service_disabled=False)),
        h.host('disabled', compute=h.compute(service_disabled=True)),
        h.host('down', compute=h.compute(service_up=False)),
        # No source reported its service: not known to be up.
        h.host('facts-unknown'),
        h.host('trait', traits=['COMPUTE_STATUS_DISABLED'],
               compute=h.compute(service_up=True, service_disabled=False)),
    ]
    flt = compute_filter.ComputeFilter(conf=h.conf())
    assert h.passing(flt, hosts, h.spec()) == ['up']
