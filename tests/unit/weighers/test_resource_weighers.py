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
import pytest

from scheduler.weighers import cpu
from scheduler.weighers import disk
from scheduler.weighers import ram
from tests.unit.host_state import fakes

WEIGHERS = [
    (ram.RAMWeigher, 'ram_weight_multiplier', 'MEMORY_MB'),
    (cpu.CPUWeigher, 'cpu_weight_multiplier', 'VCPU'),
    (disk.DiskWeigher, 'disk_weight_multiplier', 'DISK_GB'),
]


def _random_hosts(count=100, seed=3):
    rng = np.random.default_rng(seed)
    return fakes.make_host_set([
        {'name': 'h%d' % i,
         'capacity': {'VCPU': int(rng.integers(8, 64)),
                      'MEMORY_MB': int(rng.integers(8192, 65536)),
                      'DISK_GB': int(rng.integers(100, 2000))},
         'used': {'VCPU': int(rng.integers(0, 8)),
                  'MEMORY_MB': int(rng.integers(0, 8192)),
                  'DISK_GB': int(rng.integers(0, 100))}}
        for i in range(count)])


@pytest.mark.parametrize('cls,option,rc', WEIGHERS)
def test_raw_weight_is_free_capacity(cls, option, rc):
    host_set = fakes.make_host_set([
        {'name': 'a', 'capacity': {'VCPU': 10, 'MEMORY_MB': 4096,
                                   'DISK_GB': 100},
         'used': {'VCPU': 4, 'MEMORY_MB': 1024, 'DISK_GB': 30}}])
    weigher = cls(conf=fakes.make_conf())
    expected = {'VCPU': 6, 'MEMORY_MB': 3072, 'DISK_GB': 70}[rc]
    assert weigher._weigh_object(host_set[0], fakes.make_spec()) == expected
    assert list(weigher.weigh_columns(host_set, fakes.make_spec())) == [
        expected]


@pytest.mark.parametrize('cls,option,rc', WEIGHERS)
def test_column_and_per_host_weights_agree(cls, option, rc):
    host_set = _random_hosts()
    weigher = cls(conf=fakes.make_conf())
    spec = fakes.make_spec()
    per_host = [weigher._weigh_object(h, spec) for h in host_set]
    column = weigher.weigh_columns(host_set, spec)
    assert column.dtype == float
    assert list(column) == per_host


@pytest.mark.parametrize('cls,option,rc', WEIGHERS)
def test_multiplier_comes_from_its_option(cls, option, rc):
    conf = fakes.make_conf(filter_scheduler={option: -2.5})
    weigher = cls(conf=conf)
    assert weigher.weight_multiplier(None) == -2.5
