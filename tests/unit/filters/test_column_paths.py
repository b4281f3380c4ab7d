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

"""Every built-in column filter judges a host alone as it does among others.

A column filter states its rule once, over a set of hosts; asked about one
host (``host_passes``) it judges a set of that host alone. The answers
must agree: no host's verdict may depend on which other hosts are in the
set.

Property-based: random host states (facts drawn from small pools, so that
hosts share aggregates, instances and values, and some facts are missing)
and random requests touching every filter's inputs.
"""

import functools

import hypothesis
from hypothesis import strategies as st
import pytest

from scheduler.filters import aggregate_image_properties_isolation
from scheduler.filters import aggregate_instance_extra_specs
from scheduler.filters import aggregate_io_ops_filter
from scheduler.filters import aggregate_multitenancy_isolation
from scheduler.filters import aggregate_num_instances_filter
from scheduler.filters import aggregate_type_affinity_filter
from scheduler.filters import all_hosts_filter
from scheduler.filters import availability_zone_filter
from scheduler.filters import base
from scheduler.filters import compute_capabilities_filter
from scheduler.filters import compute_filter
from scheduler.filters import different_host_filter
from scheduler.filters import image_properties_filter
from scheduler.filters import io_ops_filter
from scheduler.filters import isolated_hosts_filter
from scheduler.filters import metrics_filter
from scheduler.filters import num_instances_filter
from scheduler.filters import same_host_filter
from scheduler.filters import server_group_affinity_filter
from scheduler.filters import server_group_anti_affinity_filter
from scheduler.filters import simple_cidr_affinity_filter
from tests.unit.filters import helpers as h

FILTERS = [
    aggregate_image_properties_isolation.AggregateImagePropertiesIsolation,
    aggregate_instance_extra_specs.AggregateInstanceExtraSpecsFilter,
    aggregate_io_ops_filter.AggregateIoOpsFilter,
    aggregate_multitenancy_isolation.AggregateMultiTenancyIsolation,
    aggregate_num_instances_filter.AggregateNumInstancesFilter,
    aggregate_type_affinity_filter.AggregateTypeAffinityFilter,
    all_hosts_filter.AllHostsFilter,
    availability_zone_filter.AvailabilityZoneFilter,
    compute_capabilities_filter.ComputeCapabilitiesFilter,
    compute_filter.ComputeFilter,
    different_host_filter.DifferentHostFilter,
    image_properties_filter.ImagePropertiesFilter,
    io_ops_filter.IoOpsFilter,
    isolated_hosts_filter.IsolatedHostsFilter,
    metrics_filter.MetricsFilter,
    num_instances_filter.NumInstancesFilter,
    same_host_filter.SameHostFilter,
    server_group_affinity_filter.ServerGroupAffinityFilter,
    server_group_anti_affinity_filter.ServerGroupAntiAffinityFilter,
    simple_cidr_affinity_filter.SimpleCIDRAffinityFilter,
]

NAMES = ['h%d' % i for i in range(6)]
UUIDS = ['i%d' % i for i in range(6)]
METADATA = st.dictionaries(
    st.sampled_from(['ssd', 'instance_type', 'filter_tenant_id',
                     'max_instances_per_host', 'max_io_ops_per_host',
                     'os_distro', 'img.os_distro', 'availability_zone']),
    st.sampled_from(['true', 'false', 'p1', 'p1,p2', 'm1.small', '2', '5',
                     'bad', 'fedora', 'ubuntu, fedora', 'az1']),
    max_size=3)
AGGREGATES = st.lists(METADATA, min_size=3, max_size=3)
STATS = st.dictionaries(
    st.sampled_from(['num_instances', 'num_io_ops', 'io_workload']),
    st.sampled_from(['0', '1', '2', '7', '8', '49', '50', 'x']),
    max_size=2)
SUPPORTED = st.lists(st.tuples(
    st.sampled_from(['x86_64', 'aarch64', 'i686']),
    st.sampled_from(['kvm', 'qemu', 'xen']),
    st.sampled_from(['hvm', 'xen'])), max_size=2)
COMPUTE = st.none() | st.builds(
    h.compute,
    stats=STATS,
    supported_instances=SUPPORTED,
    hypervisor_version=st.sampled_from([None, 5000000, 6002000]),
    cpu_info=st.sampled_from([{}, {'arch': 'x86_64'}, {'arch': 'aarch64'},
                              '{"arch": "x86_64"}']),
    metrics=st.dictionaries(st.sampled_from(['cpu.percent', 'cpu.freq']),
                            st.floats(0, 1), max_size=2),
    host_ip=st.sampled_from([None, '10.0.0.5', '10.0.1.5', 'bad']),
    service_up=st.sampled_from([None, True, False]),
    service_disabled=st.sampled_from([None, True, False]))


@st.composite
def host_lists(draw):
    aggregates = [h.aggregate(i, md)
                  for i, md in enumerate(draw(AGGREGATES))]
    count = draw(st.integers(1, len(NAMES)))
    hosts = []
    for name in NAMES[:count]:
        hosts.append(h.host(
            name,
            aggregates=draw(st.lists(st.sampled_from(aggregates),
                                     max_size=2, unique_by=id)),
            instances=draw(st.lists(st.sampled_from(UUIDS), max_size=3,
                                    unique=True)),
            compute=draw(COMPUTE),
            traits=draw(st.sampled_from(
                [(), ('COMPUTE_STATUS_DISABLED',)])),
            zone=draw(st.sampled_from([None, 'nova', 'az1'])),
            placed=draw(st.integers(0, 2))))
    return hosts


GROUPS = st.none() | st.builds(
    h.group,
    policy=st.sampled_from(['affinity', 'anti-affinity', 'soft-affinity']),
    hosts=st.lists(st.sampled_from(NAMES), max_size=2),
    members=st.lists(st.sampled_from(UUIDS), max_size=3),
    rules=st.sampled_from([{}, {'max_server_per_host': '2'}]))
HINTS = st.dictionaries(
    st.sampled_from(['different_host', 'same_host', 'build_near_host_ip',
                     'cidr']),
    st.lists(st.sampled_from(UUIDS + ['10.0.0.1', '/16']), min_size=1,
             max_size=2).map(lambda v: v[:1] if v[0][0] in '1/' else v),
    max_size=3)
SPECS = st.builds(
    h.spec,
    extra_specs=st.dictionaries(
        st.sampled_from(['ssd', 'aggregate_instance_extra_specs:ssd',
                         'hw:cpu_policy', 'os_distro', 'num_instances',
                         'capabilities:hypervisor_version',
                         'capabilities:cpu_info:arch', 'vcpus_total']),
        st.sampled_from(['true', '<or> true <or> false', 'dedicated',
                         's== fedora', '>= 2', '<= 5000000', 'x86_64']),
        max_size=2),
    image_props=st.dictionaries(
        st.sampled_from(['hw_architecture', 'img_hv_type', 'os_distro',
                         'img_hv_requested_version']),
        st.sampled_from(['x86_64', 'kvm', 'fedora', '>=6.0', 'amd64']),
        max_size=3),
    image_id=st.sampled_from([None, 'img-iso', 'img-2']),
    hints=HINTS,
    group=GROUPS,
    flavor_name=st.sampled_from(['m1.small', 'm1.large']),
    project_id=st.sampled_from(['p1', 'p3']),
    availability_zone=st.sampled_from([None, 'az1']),
    instance_uuid=st.sampled_from([None, 'i1']))


@functools.cache
def _conf(sources):
    conf = h.conf(sources=sources, max_instances_per_host=50,
                  max_io_ops_per_host=8,
                  isolated_hosts=['h1', 'h2'], isolated_images=['img-iso'])
    conf.set_override('weight_setting', ['cpu.percent=1'], group='metrics')
    return conf


@pytest.mark.parametrize('cls', FILTERS, ids=lambda c: c.__name__)
@hypothesis.settings(max_examples=30, deadline=None,
                     suppress_health_check=[
                         hypothesis.HealthCheck.too_slow])
@hypothesis.given(hosts=host_lists(), spec=SPECS,
                  sources=st.sampled_from([(), ('nova_db',)]))
def test_column_path_agrees_with_per_host_path(cls, hosts, spec, sources):
    flt = cls(conf=_conf(sources))
    per_host = [flt.host_passes(host, spec) for host in hosts]
    column = list(flt.filter_mask(h.host_set(hosts), spec))
    assert column == per_host


def test_every_builtin_column_filter_is_checked():
    import importlib.metadata as md
    names = {ep.name for ep in md.entry_points(group='scheduler.filters')}
    column_filters = {
        ep.name for ep in md.entry_points(group='scheduler.filters')
        if issubclass(ep.load(), base.ColumnFilter)}
    assert column_filters == {cls.__name__ for cls in FILTERS}
    assert len(names) == 23
