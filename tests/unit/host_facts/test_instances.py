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

from scheduler.host_facts import instances
from scheduler.host_state import facts


def test_compact_instances_read_as_instance_facts():
    state = instances.state_of(project_id='p', vm_state='active')
    mapping = instances.Instances({'a': state, 'b': instances.EMPTY_STATE})
    assert mapping['a'] == facts.InstanceFacts(uuid='a', project_id='p',
                                               vm_state='active')
    assert sorted(mapping) == ['a', 'b']
    assert 'b' in mapping and 'c' not in mapping
    assert len(mapping) == 2
    assert {'a', 'x'}.intersection(mapping) == {'a'}
    assert dict(mapping)['b'] == facts.InstanceFacts(uuid='b')


def test_equal_states_are_one_shared_tuple():
    one = instances.state_of(project_id=''.join(['pro', 'ject']))
    two = instances.state_of(project_id='project')
    assert one is two


def test_changing_a_copy_leaves_the_mapping_alone():
    mapping = instances.Instances({'a': instances.EMPTY_STATE})
    states = mapping.states()
    states['b'] = instances.EMPTY_STATE
    assert list(mapping) == ['a']
