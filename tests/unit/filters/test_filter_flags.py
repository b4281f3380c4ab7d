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

"""Which filters run on rebuild and once per request: Nova 34's choices."""

import importlib.metadata as md

import pytest

# Facts from Nova 34's nova/scheduler/filters/*.py.
RUN_ON_REBUILD = {'ImagePropertiesFilter', 'IsolatedHostsFilter',
                  'AggregateImagePropertiesIsolation'}
EVERY_INSTANCE = {'IoOpsFilter', 'AggregateIoOpsFilter', 'NumInstancesFilter',
                  'AggregateNumInstancesFilter', 'JsonFilter', 'MetricsFilter',
                  'NUMATopologyFilter', 'PciPassthroughFilter',
                  'ServerGroupAffinityFilter', 'ServerGroupAntiAffinityFilter'}


def _filters():
    return {ep.name: ep.load()
            for ep in md.entry_points(group='scheduler.filters')}


@pytest.mark.parametrize('name', sorted(_filters()))
def test_entry_point_name_is_the_class_name(name):
    assert _filters()[name].__name__ == name


def test_only_novas_rebuild_filters_run_on_rebuild():
    assert {name for name, cls in _filters().items()
            if cls.RUN_ON_REBUILD} == RUN_ON_REBUILD


def test_filters_that_can_change_between_instances_run_for_each():
    assert {name for name, cls in _filters().items()
            if not cls.run_filter_once_per_request} == EVERY_INSTANCE
