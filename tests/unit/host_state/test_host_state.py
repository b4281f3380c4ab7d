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

import numpy as np

from scheduler.host_state import host_state as hs
from tests.unit.host_state import fakes

ROOT = fakes.rp_uuid('root')
NUMA0 = fakes.rp_uuid('numa0')
NUMA1 = fakes.rp_uuid('numa1')


def _numa_host():
    providers = {
        ROOT: fakes.summary({'DISK_GB': 100}, {'DISK_GB': 10})['resources'],
        NUMA0: fakes.summary({'VCPU': 4, 'MEMORY_MB': 4096},
                             {'VCPU': 3})['resources'],
        NUMA1: fakes.summary({'VCPU': 4, 'MEMORY_MB': 4096},
                             {'VCPU': 1, 'MEMORY_MB': 1024})['resources'],
    }
    requests = [fakes.allocation_request({NUMA0: {'VCPU': 2}}),
                fakes.allocation_request({NUMA1: {'VCPU': 2}})]
    return hs.HostState(ROOT, 'host', 'node', fakes.CELL, providers,
                        traits={'HW_CPU_X86_AVX2'},
                        allocation_requests=requests)


def test_free_is_capacity_minus_used_summed_over_the_tree():
    host = _numa_host()
    assert host.capacity == {'DISK_GB': 100, 'VCPU': 8, 'MEMORY_MB': 8192}
    assert host.free('VCPU') == 4
    assert host.free('MEMORY_MB') == 7168
    assert host.free('DISK_GB') == 90
    assert host.free('PCPU') == 0


def test_fits_checks_each_provider_of_the_tree_not_the_sum():
    host = _numa_host()
    # 4 vCPUs are free on the host, but only 1 on NUMA0 and 3 on NUMA1.
    assert not host.fits(host.allocation_requests[0])
    assert host.fits(host.allocation_requests[1])
    assert host.fitting_request() is host.allocation_requests[1]


def test_consume_adds_the_request_to_used():
    host = _numa_host()
    host.consume(host.allocation_requests[1])
    assert host.free('VCPU') == 2
    assert host.used['VCPU'] == 6
    # NUMA1 has 1 vCPU left now: the request for 2 no longer fits.
    assert host.fitting_request() is None


def test_consume_ignores_providers_outside_the_tree():
    host = _numa_host()
    sharing = fakes.rp_uuid('shared-storage')
    host.consume(fakes.allocation_request(
        {NUMA1: {'VCPU': 1}, sharing: {'DISK_GB': 50}}))
    assert host.free('DISK_GB') == 90
    assert host.free('VCPU') == 3


def test_columns_match_the_host_states():
    host_set = fakes.make_host_set([
        {'name': 'a', 'used': {'VCPU': 4, 'MEMORY_MB': 1000}},
        {'name': 'b', 'capacity': {'VCPU': 8, 'MEMORY_MB': 2048,
                                   'DISK_GB': 50}},
    ])
    assert list(host_set.free_vcpus) == [12, 8]
    assert list(host_set.free_ram_mb) == [31768, 2048]
    assert list(host_set.free_disk_gb) == [1000, 50]
    assert list(host_set.total_vcpus) == [16, 8]
    assert list(host_set.total_ram_mb) == [32768, 2048]
    assert list(host_set.total_disk_gb) == [1000, 50]
    for i, host in enumerate(host_set):
        assert host_set.free_vcpus[i] == host.free('VCPU')


def test_resource_class_no_host_has_is_a_zero_column():
    host_set = fakes.make_host_set(fakes.uniform_hosts(3))
    assert list(host_set.free('PCPU')) == [0, 0, 0]


def test_consume_updates_the_host_and_its_columns_alike():
    host_set = fakes.make_host_set(fakes.uniform_hosts(3))
    request = host_set[1].allocation_requests[0]
    host_set.consume(1, request)
    assert list(host_set.free_vcpus) == [16, 15, 16]
    assert list(host_set.free_ram_mb) == [32768, 31744, 32768]
    assert host_set[1].free('MEMORY_MB') == 31744


def test_host_without_room_for_any_request_is_marked():
    host_set = fakes.make_host_set(
        fakes.uniform_hosts(2, capacity={'VCPU': 2, 'MEMORY_MB': 2048,
                                         'DISK_GB': 20}))
    request = host_set[0].allocation_requests[0]
    host_set.consume(0, request)
    assert list(host_set.has_room) == [True, True]
    host_set.consume(0, request)
    assert list(host_set.has_room) == [False, True]


def test_disabled_column_is_the_disabled_trait():
    host_set = fakes.make_host_set([
        {'name': 'a', 'traits': [hs.DISABLED_TRAIT]},
        {'name': 'b', 'traits': ['COMPUTE_NODE']},
        {'name': 'c'},
    ])
    assert list(host_set.disabled) == [True, False, False]
    assert list(host_set.has_trait('COMPUTE_NODE')) == [False, True, False]
    assert host_set.disabled.dtype == np.bool_
