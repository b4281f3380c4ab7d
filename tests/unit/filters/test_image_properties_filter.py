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

from scheduler.filters import image_properties_filter as ipf
from tests.unit.filters import helpers as h


def _hosts():
    return [
        h.host('kvm', compute=h.compute(
            supported_instances=[['x86_64', 'kvm', 'hvm'],
                                 ['i686', 'kvm', 'hvm']],
            hypervisor_version=6002000,
            cpu_info={'maxphysaddr': {'bits': 46}})),
        h.host('arm', compute=h.compute(
            supported_instances=[['aarch64', 'qemu', 'hvm']],
            hypervisor_version=5000000)),
        h.host('unknown'),
    ]


def _flt(**opts):
    return ipf.ImagePropertiesFilter(conf=h.conf(**opts))


def test_image_without_the_properties_goes_anywhere():
    assert h.passing(_flt(), _hosts(), h.spec()) == ['kvm', 'arm', 'unknown']


def test_host_without_compute_details_is_judged_only_if_the_image_asks():
    unknown = [h.host('unknown')]
    for sources in ((), ('nova_db',)):
        flt = ipf.ImagePropertiesFilter(conf=h.conf(sources=sources))
        assert h.passing(flt, unknown, h.spec(image_props={
            'hw_disk_bus': 'virtio', 'os_type': 'linux'})) == ['unknown']
        for props in ({'hw_architecture': 'x86_64'},
                      {'img_hv_type': 'kvm'}, {'hw_vm_mode': 'hvm'}):
            assert h.passing(flt, unknown,
                             h.spec(image_props=props)) == [], props


def test_architecture_is_canonicalised_and_must_be_supported():
    spec = h.spec(image_props={'hw_architecture': 'amd64'})
    assert h.passing(_flt(), _hosts(), spec) == ['kvm']
    spec = h.spec(image_props={'hw_architecture': 'i386'})
    assert h.passing(_flt(), _hosts(), spec) == ['kvm']


def test_all_three_must_be_one_supported_triple():
    spec = h.spec(image_props={'hw_architecture': 'aarch64',
                               'img_hv_type': 'kvm'})
    assert h.passing(_flt(), _hosts(), spec) == []
    spec = h.spec(image_props={'img_hv_type': 'QEMU', 'hw_vm_mode': 'hv'})
    assert h.passing(_flt(), _hosts(), spec) == ['arm']


def test_default_architecture_applies_to_images_without_one():
    spec = h.spec()
    flt = _flt(image_properties_default_architecture='aarch64')
    assert h.passing(flt, _hosts(), spec) == ['arm']


def test_requested_hypervisor_version_is_checked():
    spec = h.spec(image_props={'img_hv_type': 'kvm',
                               'img_hv_requested_version': '>=6.2'})
    assert h.passing(_flt(), _hosts(), spec) == ['kvm']
    spec = h.spec(image_props={'img_hv_type': 'kvm',
                               'img_hv_requested_version': '>=7.0'})
    assert h.passing(_flt(), _hosts(), spec) == []


def test_maxphysaddr_bits_must_not_exceed_the_hosts():
    spec = h.spec(image_props={'hw_architecture': 'x86_64',
                               'hw_maxphysaddr_bits': 48})
    assert h.passing(_flt(), _hosts(), spec) == []
    spec = h.spec(image_props={'hw_architecture': 'x86_64',
                               'hw_maxphysaddr_bits': 40})
    assert h.passing(_flt(), _hosts(), spec) == ['kvm']
