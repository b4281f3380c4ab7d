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

from scheduler.filters import aggregate_image_properties_isolation as aipi
from scheduler.filters import aggregate_instance_extra_specs as aies
from scheduler.filters import aggregate_multitenancy_isolation as amti
from scheduler.filters import aggregate_type_affinity_filter as atf
from tests.unit.filters import helpers as h


def _hosts():
    return [
        h.host('ssd', aggregates=[h.aggregate(1, {'ssd': 'true',
                                                  'cpus': '8, 16'})]),
        h.host('hdd', aggregates=[h.aggregate(2, {'ssd': 'false'})]),
        h.host('none'),
    ]


def test_extra_specs_match_aggregate_metadata():
    flt = aies.AggregateInstanceExtraSpecsFilter(conf=h.conf())
    spec = h.spec({'aggregate_instance_extra_specs:ssd': 'true'})
    assert h.passing(flt, _hosts(), spec) == ['ssd']
    assert h.passing(flt, _hosts(), h.spec({'ssd': 'false'})) == ['hdd']


def test_extra_specs_use_operators_on_any_listed_value():
    flt = aies.AggregateInstanceExtraSpecsFilter(conf=h.conf())
    assert h.passing(flt, _hosts(), h.spec({'cpus': '>= 12'})) == ['ssd']
    assert h.passing(flt, _hosts(), h.spec({'cpus': '<or> 4 <or> 8'})) == [
        'ssd']


def test_extra_specs_of_other_scopes_are_ignored():
    flt = aies.AggregateInstanceExtraSpecsFilter(conf=h.conf())
    spec = h.spec({'hw:cpu_policy': 'dedicated', 'resources:VCPU': '2'})
    assert h.passing(flt, _hosts(), spec) == ['ssd', 'hdd', 'none']


def test_tenant_restricted_aggregate_admits_only_its_projects():
    hosts = [
        h.host('mine', aggregates=[h.aggregate(1, {
            'filter_tenant_id': 'p1,p2', 'filter_tenant_id_3': 'p3'})]),
        h.host('open', aggregates=[h.aggregate(2, {'ssd': 'true'})]),
        h.host('none'),
    ]
    flt = amti.AggregateMultiTenancyIsolation(conf=h.conf())
    assert h.passing(flt, hosts, h.spec(project_id='p3')) == [
        'mine', 'open', 'none']
    assert h.passing(flt, hosts, h.spec(project_id='p9')) == [
        'open', 'none']


def test_image_properties_must_be_allowed_by_aggregates():
    hosts = [
        h.host('linux', aggregates=[h.aggregate(1, {'os_distro': 'ubuntu,'
                                                    ' fedora'})]),
        h.host('win', aggregates=[h.aggregate(2, {'os_distro':
                                                  'windows'})]),
        h.host('none'),
    ]
    flt = aipi.AggregateImagePropertiesIsolation(conf=h.conf())
    spec = h.spec(image_props={'os_distro': 'fedora'})
    assert h.passing(flt, hosts, spec) == ['linux', 'none']
    assert h.passing(flt, hosts, h.spec()) == ['linux', 'win', 'none']


def test_image_properties_isolation_namespace_limits_the_keys():
    hosts = [h.host('a', aggregates=[h.aggregate(1, {
        'os_distro': 'windows', 'img.os_distro': 'fedora'})])]
    flt = aipi.AggregateImagePropertiesIsolation(conf=h.conf(
        aggregate_image_properties_isolation_namespace='img'))
    assert h.passing(flt, hosts, h.spec(image_props={
        'os_distro': 'fedora'})) == ['a']


def test_type_affinity_restricts_aggregates_to_their_flavors():
    hosts = [
        h.host('small', aggregates=[h.aggregate(1, {
            'instance_type': 'm1.tiny, m1.small'})]),
        h.host('large', aggregates=[h.aggregate(2, {
            'instance_type': 'm1.large'})]),
        h.host('any'),
    ]
    flt = atf.AggregateTypeAffinityFilter(conf=h.conf())
    assert h.passing(flt, hosts, h.spec(flavor_name='m1.small')) == [
        'small', 'any']
