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

"""One reader of the numeric host facts, for filters and weighers."""

import hypothesis
from hypothesis import strategies as st
import numpy as np

from scheduler.host_state import columns
from scheduler.host_state import facts
from scheduler.host_state import host_set as host_sets
from scheduler.host_state import host_state as hs
from tests.unit.host_state import fakes


def _host(i, host_facts):
    uuid = fakes.rp_uuid('h%d' % i)
    return hs.HostState(uuid, 'h%d' % i, 'h%d' % i, fakes.CELL,
                        {uuid: fakes.summary(fakes.INVENTORY)['resources']},
                        facts=host_facts)


def _facts(stats=None, aggregates=(), **compute):
    return facts.HostFacts(
        aggregates=aggregates,
        compute=facts.ComputeFacts(stats=stats or {}, **compute))


def test_columns_read_each_hosts_facts():
    agg = facts.AggregateFacts(id=1, metadata={'ram_weight_multiplier': '2',
                                               'other': 'x'})
    host_set = host_sets.HostStateSet([
        _host(0, _facts({'io_workload': '3', 'num_instances': 4,
                         'failed_builds': 'bad'}, hypervisor_version=9,
                        pci_pools=[{'count': 2}, {'count': 1}],
                        service_up=False)),
        _host(1, facts.UNKNOWN),
        _host(2, _facts({'num_io_ops': 5, 'io_workload': 1},
                        aggregates=(agg,), service_disabled=True)),
        _host(3, _facts(service_up=True))])
    table = columns.fact_table(host_set)
    assert table.io_ops.tolist() == [3, 0, 5, 0]
    assert table.instances.tolist() == [4, 0, 0, 0]
    assert table.failed_builds.tolist() == [0, 0, 0, 0]
    assert table.hypervisor_version.tolist() == [9, 0, 0, 0]
    assert table.pci_free.tolist() == [3, 0, 0, 0]
    # No compute record (h1): no service known to be up.
    assert table.service_ok.tolist() == [0, 0, 0, 1]
    assert table.no_compute.tolist() == [0, 1, 0, 0]
    assert table.multipliers('ram_weight_multiplier', 1.0).tolist() == [
        1, 1, 2, 1]


def test_a_record_is_read_once_for_every_host_set_that_holds_it():
    record = _facts({'num_instances': 4})
    first = columns.fact_table(host_sets.HostStateSet([_host(0, record)]))
    row = record.row
    second = columns.fact_table(host_sets.HostStateSet(
        [_host(1, record), _host(2, facts.UNKNOWN)]))
    assert record.row is row
    assert first.instances.tolist() == [4]
    assert second.instances.tolist() == [4, 0]


def test_a_new_record_is_read_anew():
    old = _facts({'num_instances': 4})
    columns.fact_table(host_sets.HostStateSet([_host(0, old)]))
    new = _facts({'num_instances': 6})
    table = columns.fact_table(host_sets.HostStateSet([_host(0, new)]))
    np.testing.assert_array_equal(table.instances, [6])


def _table(records, memory):
    """The table of a set of ``records``, as a driver with ``memory``."""
    host_set = host_sets.HostStateSet(
        [_host(i, r) for i, r in enumerate(records)])
    host_set.fact_memory = memory
    return columns.fact_table(host_set)


def test_the_next_host_set_reads_only_the_records_that_changed():
    memory = columns.FactTableMemory()
    records = [_facts({'num_instances': i}) for i in range(8)]
    first = _table(records, memory)
    assert first.instances.tolist() == list(range(8))
    changed = list(records)
    changed[3] = _facts({'num_instances': 30})
    assert records[5].row is not None
    # A reused row is not read again: spoiling it shows if it were.
    records[5].row = (np.array([99.0] * len(columns.NUMBERS)).tobytes(),
                      {})
    second = _table(changed, memory)
    assert second.instances.tolist() == [0, 1, 2, 30, 4, 5, 6, 7]


def test_many_changed_records_or_other_hosts_read_every_row():
    memory = columns.FactTableMemory()
    records = [_facts({'num_instances': i}) for i in range(4)]
    _table(records, memory)
    fresh = [_facts({'num_instances': 10 + i}) for i in range(4)]
    assert _table(fresh, memory).instances.tolist() == [10, 11, 12, 13]
    assert _table(fresh[:3], memory).instances.tolist() == [10, 11, 12]
    assert _table([facts.UNKNOWN] * 3, memory).no_compute.tolist() == [1.0] * 3


def test_a_set_of_the_same_records_gets_the_last_table_whole():
    memory = columns.FactTableMemory()
    records = [_facts({'num_instances': i}) for i in range(4)]
    first = _table(records, memory)
    column = first.multipliers('cpu_weight_multiplier', 1.0)
    again = _table(list(records), memory)
    assert again is first
    assert again.multipliers('cpu_weight_multiplier', 1.0) is column
    assert not column.flags.writeable


@hypothesis.settings(max_examples=50, deadline=None)
@hypothesis.given(st.lists(st.lists(st.integers(0, 5), min_size=3,
                                    max_size=3), min_size=1, max_size=6))
def test_a_table_from_memory_is_the_table_read_afresh(steps):
    """Whatever records change between requests, as if read from scratch."""
    memory = columns.FactTableMemory()
    pool = [_facts({'num_instances': i}) for i in range(6)]
    for step in steps:
        records = [pool[i] for i in step]
        remembered = _table(records, memory)
        fresh = _table(records, None)
        np.testing.assert_array_equal(remembered.rows, fresh.rows)
        assert remembered.overrides == fresh.overrides
