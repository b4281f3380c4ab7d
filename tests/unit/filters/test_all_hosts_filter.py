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

from scheduler.filters import all_hosts_filter
from scheduler.host_state import host_state as hs
from tests.unit.host_state import fakes


def test_every_host_passes_both_ways():
    flt = all_hosts_filter.AllHostsFilter(conf=fakes.make_conf())
    host_set = fakes.make_host_set(
        [{'name': 'a'}, {'name': 'b', 'traits': [hs.DISABLED_TRAIT]}])
    spec = fakes.make_spec()
    assert list(flt.filter_mask(host_set, spec)) == [True, True]
    assert [flt.host_passes(h, spec) for h in host_set] == [True, True]
