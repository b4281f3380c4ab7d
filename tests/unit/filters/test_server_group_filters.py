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

from scheduler.filters import server_group_affinity_filter as affinity
from scheduler.filters import server_group_anti_affinity_filter as anti
from tests.unit.filters import helpers as h


def _anti():
    return anti.ServerGroupAntiAffinityFilter(conf=h.conf())


def _affinity():
    return affinity.ServerGroupAffinityFilter(conf=h.conf())


def _known(name, instances=(), placed=0):
    return h.host(name, instances=instances, compute=h.compute(),
                  placed=placed)


def test_anti_affinity_keeps_members_apart():
    hosts = [_known('a', ['m1']), _known('b', ['other']), _known('c')]
    spec = h.spec(group=h.group('anti-affinity', members=['m1', 'm2']))
    assert h.passing(_anti(), hosts, spec) == ['b', 'c']


def test_anti_affinity_rule_allows_up_to_max_server_per_host():
    hosts = [_known('a', ['m1']), _known('b', ['m1', 'm2'])]
    spec = h.spec(group=h.group('anti-affinity', members=['m1', 'm2', 'm3'],
                                rules={'max_server_per_host': '2'}))
    assert h.passing(_anti(), hosts, spec) == ['a']


def test_anti_affinity_host_running_the_instance_itself_passes():
    hosts = [_known('a', ['m1'])]
    spec = h.spec(group=h.group('anti-affinity', members=['m1']),
                  instance_uuid='m1')
    assert h.passing(_anti(), hosts, spec) == ['a']


def test_anti_affinity_counts_instances_this_request_placed():
    hosts = [_known('a', placed=1), _known('b')]
    spec = h.spec(group=h.group('anti-affinity', members=['m1', 'm2']))
    assert h.passing(_anti(), hosts, spec) == ['b']


def test_anti_affinity_fails_closed_on_hosts_with_unknown_instances():
    hosts = [h.host('unknown'), _known('known')]
    spec = h.spec(group=h.group('anti-affinity', members=['m1']))
    assert h.passing(_anti(), hosts, spec) == ['known']


def test_anti_affinity_ignores_other_policies_and_no_group():
    hosts = [_known('a', ['m1']), h.host('unknown')]
    assert h.passing(_anti(), hosts, h.spec()) == ['a', 'unknown']
    spec = h.spec(group=h.group('affinity', members=['m1']))
    assert h.passing(_anti(), hosts, spec) == ['a', 'unknown']


def test_affinity_follows_the_group_hosts():
    hosts = [h.host('a'), h.host('b'), h.host('c')]
    spec = h.spec(group=h.group('affinity', hosts=['b']))
    assert h.passing(_affinity(), hosts, spec) == ['b']


def test_affinity_first_member_goes_anywhere():
    hosts = [h.host('a'), h.host('b')]
    spec = h.spec(group=h.group('affinity'))
    assert h.passing(_affinity(), hosts, spec) == ['a', 'b']
    spec = h.spec(group=h.group('anti-affinity', hosts=['a']))
    assert h.passing(_affinity(), hosts, spec) == ['a', 'b']
