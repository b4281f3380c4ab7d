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

import json

from scheduler.filters import compute_capabilities_filter as ccf
from scheduler.filters import json_filter
from scheduler.filters import metrics_filter
from tests.unit.filters import helpers as h
from tests.unit.host_state import fakes


def _hosts():
    return [
        h.host('big', compute=h.compute(
            hypervisor_type='QEMU', hypervisor_version=6002000,
            cpu_info=json.dumps({'arch': 'x86_64',
                                 'maxphysaddr': {'bits': 46}}),
            stats={'gpu': 'yes', 'num_instances': '3'},
            metrics={'cpu.percent': 0.5})),
        h.host('small', compute=h.compute(
            hypervisor_type='ironic', cpu_info={'arch': 'aarch64'},
            stats={'num_instances': '9'}),
            capacity={'VCPU': 4, 'MEMORY_MB': 2048, 'DISK_GB': 10}),
        h.host('unknown'),
    ]


def _caps():
    return ccf.ComputeCapabilitiesFilter(conf=h.conf())


def test_capabilities_scope_walks_attributes_and_json():
    spec = h.spec({'capabilities:cpu_info:arch': 'x86_64'})
    assert h.passing(_caps(), _hosts(), spec) == ['big']
    spec = h.spec({'capabilities:hypervisor_type': 's== ironic'})
    assert h.passing(_caps(), _hosts(), spec) == ['small']


def test_capabilities_fall_back_to_stats():
    spec = h.spec({'capabilities:gpu': 'yes'})
    assert h.passing(_caps(), _hosts(), spec) == ['big']


def test_unscoped_keys_check_only_attributes_the_host_has():
    spec = h.spec({'num_instances': '<= 5', 'no_such_thing': 'x'})
    assert h.passing(_caps(), _hosts(), spec) == ['big']


def test_other_scopes_are_not_capabilities():
    spec = h.spec({'hw:cpu_policy': 'dedicated', 'trait:HW_GPU': 'required'})
    assert h.passing(_caps(), _hosts(), spec) == ['big', 'small', 'unknown']


def test_maxphysaddr_bits_extra_spec_means_at_least():
    assert h.passing(_caps(), _hosts(), h.spec(
        {'hw:maxphysaddr_bits': '40'})) == ['big']
    assert h.passing(_caps(), _hosts(), h.spec(
        {'hw:maxphysaddr_bits': '48'})) == []


def _json(query):
    return h.spec(hints={'query': json.dumps(query)})


def test_json_query_compares_host_attributes():
    flt = json_filter.JsonFilter(conf=h.conf())
    spec = _json(['and', ['>=', '$free_ram_mb', 4096],
                  ['=', '$hypervisor_type', 'QEMU']])
    assert h.passing(flt, _hosts(), spec) == ['big']
    spec = _json(['not', ['in', '$hypervisor_type', 'QEMU', 'kvm']])
    assert h.passing(flt, _hosts(), spec) == ['small', 'unknown']


def test_json_query_reads_nested_keys_and_drops_missing_ones():
    flt = json_filter.JsonFilter(conf=h.conf())
    spec = _json(['=', '$stats.gpu', 'yes'])
    assert h.passing(flt, _hosts(), spec) == ['big']
    spec = _json(['<', '$vcpus_total', 8])
    assert h.passing(flt, _hosts(), spec) == ['small']


def test_json_without_query_passes_and_bad_query_fails_every_host():
    flt = json_filter.JsonFilter(conf=h.conf())
    assert h.passing(flt, _hosts(), h.spec()) == ['big', 'small', 'unknown']
    assert h.passing(flt, _hosts(), h.spec(hints={'query': '[oops'})) == []
    assert h.passing(flt, _hosts(), _json(['~', 1, 2])) == []


def test_metrics_filter_needs_every_weighed_metric():
    conf = h.conf()
    conf.set_override('weight_setting', ['cpu.percent=1.0', 'broken'],
                      group='metrics')
    flt = metrics_filter.MetricsFilter(conf=conf)
    assert h.passing(flt, _hosts(), h.spec()) == ['big']
    flt = metrics_filter.MetricsFilter(conf=fakes.make_conf())
    assert h.passing(flt, _hosts(), h.spec()) == ['big', 'small', 'unknown']
