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

from scheduler.filters import different_host_filter
from scheduler.filters import same_host_filter
from scheduler.filters import simple_cidr_affinity_filter as cidr
from tests.unit.filters import helpers as h


def _hosts():
    return [
        h.host('a', instances=['i1', 'i2'], compute=h.compute(
            host_ip='10.0.0.5')),
        h.host('b', instances=['i3'], compute=h.compute(
            host_ip='10.0.1.7')),
        h.host('c', compute=h.compute(host_ip='192.168.0.1')),
        h.host('unknown'),
    ]


def test_different_host_avoids_hosts_of_the_hinted_instances():
    flt = different_host_filter.DifferentHostFilter(conf=h.conf())
    spec = h.spec(hints={'different_host': ['i1', 'i3']})
    assert h.passing(flt, _hosts(), spec) == ['c']
    spec = h.spec(hints={'different_host': 'i3'})
    assert h.passing(flt, _hosts(), spec) == ['a', 'c']
    assert h.passing(flt, _hosts(), h.spec()) == ['a', 'b', 'c', 'unknown']


def test_same_host_keeps_only_hosts_of_the_hinted_instances():
    flt = same_host_filter.SameHostFilter(conf=h.conf())
    spec = h.spec(hints={'same_host': ['i2', 'nowhere']})
    assert h.passing(flt, _hosts(), spec) == ['a']
    assert h.passing(flt, _hosts(), h.spec()) == ['a', 'b', 'c', 'unknown']


def test_cidr_affinity_defaults_to_a_slash_24():
    flt = cidr.SimpleCIDRAffinityFilter(conf=h.conf())
    spec = h.spec(hints={'build_near_host_ip': '10.0.0.1'})
    assert h.passing(flt, _hosts(), spec) == ['a']
    spec = h.spec(hints={'build_near_host_ip': '10.0.0.1', 'cidr': '/16'})
    assert h.passing(flt, _hosts(), spec) == ['a', 'b']


def test_cidr_affinity_without_hint_passes_and_bad_hint_fails():
    flt = cidr.SimpleCIDRAffinityFilter(conf=h.conf())
    assert h.passing(flt, _hosts(), h.spec()) == ['a', 'b', 'c', 'unknown']
    spec = h.spec(hints={'build_near_host_ip': 'not-an-ip'})
    assert h.passing(flt, _hosts(), spec) == []
