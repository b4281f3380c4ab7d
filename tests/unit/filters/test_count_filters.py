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

from scheduler.filters import aggregate_io_ops_filter
from scheduler.filters import aggregate_num_instances_filter
from scheduler.filters import io_ops_filter
from scheduler.filters import num_instances_filter
from tests.unit.filters import helpers as h


def _hosts():
    return [
        h.host('busy', compute=h.compute(stats={'num_instances': '50',
                                                'io_workload': '8'})),
        h.host('idle', compute=h.compute(stats={'num_instances': '49',
                                                'num_io_ops': '7'})),
        h.host('unknown'),
        h.host('no-stats', compute=h.compute()),
    ]


def test_num_instances_at_the_limit_fails_and_unknown_fails_closed():
    # A stat the compute node does not report counts 0, as in Nova; a
    # host whose compute node nobody reported fails closed.
    flt = num_instances_filter.NumInstancesFilter(conf=h.conf())
    assert h.passing(flt, _hosts(), h.spec()) == ['idle', 'no-stats']


def test_num_instances_limit_is_the_option():
    flt = num_instances_filter.NumInstancesFilter(
        conf=h.conf(max_instances_per_host=51))
    assert h.passing(flt, _hosts(), h.spec()) == ['busy', 'idle', 'no-stats']


def test_num_instances_counts_instances_placed_by_this_request():
    hosts = _hosts()
    hosts[1].placed = 1
    flt = num_instances_filter.NumInstancesFilter(conf=h.conf())
    assert h.passing(flt, hosts, h.spec()) == ['no-stats']


def test_io_ops_at_the_limit_fails():
    # Nova's compute node reports io_workload ('busy'); num_io_ops too.
    flt = io_ops_filter.IoOpsFilter(conf=h.conf())
    assert h.passing(flt, _hosts(), h.spec()) == ['idle', 'no-stats']
    flt = io_ops_filter.IoOpsFilter(conf=h.conf(max_io_ops_per_host=0))
    assert h.passing(flt, _hosts(), h.spec()) == []


def _aggregated(metadata_by_host):
    stats = {'num_instances': '5', 'io_workload': '5'}
    return [h.host(name, compute=h.compute(stats=stats),
                   aggregates=[h.aggregate(i, md) for i, md in
                               enumerate(mds)])
            for name, mds in metadata_by_host]


def test_aggregate_limit_is_the_smallest_value_else_the_option():
    hosts = _aggregated([
        ('low', [{'max_instances_per_host': '10'},
                 {'max_instances_per_host': '5'}]),
        ('high', [{'max_instances_per_host': '6'}]),
        ('bad', [{'max_instances_per_host': 'many'}]),
        ('none', []),
    ])
    flt = aggregate_num_instances_filter.AggregateNumInstancesFilter(
        conf=h.conf(max_instances_per_host=3))
    assert h.passing(flt, hosts, h.spec()) == ['high']


def test_aggregate_io_ops_limit_overrides_the_option():
    hosts = _aggregated([('a', [{'max_io_ops_per_host': '6'}]), ('b', [])])
    flt = aggregate_io_ops_filter.AggregateIoOpsFilter(conf=h.conf())
    assert h.passing(flt, hosts, h.spec()) == ['a', 'b']
    flt = aggregate_io_ops_filter.AggregateIoOpsFilter(
        conf=h.conf(max_io_ops_per_host=5))
    assert h.passing(flt, hosts, h.spec()) == ['a']
