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

"""The built-in weighers: Nova's documented behaviour, both paths alike."""

import hypothesis
from hypothesis import strategies as st
import numpy as np
import pytest

from scheduler import exception
from scheduler.host_facts import instances as compact
from scheduler.host_state import facts as hf
from scheduler.host_state import host_set as host_sets
from scheduler.host_state import host_state as hs
from scheduler.objects import numa_pci
from scheduler.objects import request_spec
from scheduler.weighers import base
from scheduler.weighers import handler
from tests.unit.host_state import fakes

CELL = fakes.CELL
OTHER_CELL = '00000000-0000-0000-0000-000000000002'


def _host(i, compute=None, aggregates=(), instances=(), cell=CELL,
          free_ram=4096, instances_known=True):
    uuid = fakes.rp_uuid('host-%d' % i)
    providers = {uuid: {
        'VCPU': {'capacity': 16, 'used': 0},
        'MEMORY_MB': {'capacity': 8192, 'used': 8192 - free_ram},
        'DISK_GB': {'capacity': 100, 'used': 0}}}
    facts = hf.HostFacts(
        aggregates=tuple(aggregates), compute=compute,
        instances_known=instances_known,
        instances={u: (props if isinstance(props, hf.InstanceFacts)
                       else _instance(u, props))
                   for u, props in dict(instances).items()})
    return hs.HostState(uuid, 'host-%d' % i, 'host-%d' % i, cell, providers,
                        facts=facts)


def _instance(uuid, props):
    """An instance whose system metadata records the image ``props``."""
    return hf.InstanceFacts(uuid, image_properties=compact.image_properties(
        {'image_' + key: value for key, value in props.items()}))


def _compute(**fields):
    stats = fields.pop('stats', {})
    return hf.ComputeFacts(stats=stats, **fields)


def _aggregate(**metadata):
    return hf.AggregateFacts(id=len(metadata), name='agg',
                             metadata={k: str(v) for k, v in
                                       metadata.items()})


def _weigher(name, **groups):
    conf = fakes.make_conf(**groups)
    conf.set_override('weight_classes', [name], group='filter_scheduler')
    return handler.WeightHandler(conf)


def _weights(name, hosts, spec=None, **groups):
    wh = _weigher(name, **groups)
    host_set = host_sets.HostStateSet(hosts)
    return list(wh.weigh(host_set, spec or fakes.make_spec(),
                         np.arange(len(host_set))))


def _best(name, hosts, spec=None, **groups):
    weights = _weights(name, hosts, spec, **groups)
    return int(np.argmax(weights))


def test_io_ops_prefers_the_least_busy_host_by_default():
    hosts = [_host(0, _compute(stats={'num_io_ops': 5})),
             _host(1, _compute(stats={'num_io_ops': 1}))]
    assert _weights('IoOpsWeigher', hosts) == [-1.0, -0.2]


def test_io_ops_counts_instances_placed_by_this_request():
    hosts = [_host(0, _compute(stats={'num_io_ops': 1})),
             _host(1, _compute(stats={'num_io_ops': 1}))]
    hosts[1].consume({'allocations': {}})
    assert _best('IoOpsWeigher', hosts) == 0


def test_num_instances_is_off_by_default_and_packs_when_positive():
    hosts = [_host(0, _compute(stats={'num_instances': 5})),
             _host(1, _compute(stats={'num_instances': 1}))]
    assert _weights('NumInstancesWeigher', hosts) == [0.0, 0.0]
    assert _best('NumInstancesWeigher', hosts, filter_scheduler={
        'num_instances_weight_multiplier': 1.0}) == 0


def test_build_failures_put_a_host_last_whatever_else():
    hosts = [_host(0, _compute(stats={'failed_builds': 1})),
             _host(1, _compute(stats={'failed_builds': 0}))]
    assert _weights('BuildFailureWeigher', hosts) == [-1e6, 0.0]


def test_newer_hypervisor_wins_and_unknown_counts_zero():
    hosts = [_host(0, _compute(hypervisor_version=6002000)),
             _host(1, _compute(hypervisor_version=8000000)),
             _host(2)]
    weights = _weights('HypervisorVersionWeigher', hosts)
    assert weights[1] == 1.0 and weights[2] == 0.0


def test_pci_hosts_are_avoided_and_counts_cap_at_99():
    hosts = [_host(0, _compute(pci_pools=[{'count': 2}, {'count': 1}])),
             _host(1, _compute()),
             _host(2, _compute(pci_pools=[{'count': 500}]))]
    wh = _weigher('PCIWeigher')
    name, weigher = wh.weighers[0]
    raw = [weigher._weigh_object(h, fakes.make_spec()) for h in hosts]
    assert raw == [97, 100, 1]
    assert _best('PCIWeigher', hosts) == 1


def test_pci_devices_taken_earlier_in_a_multi_create_are_not_free():
    hosts = [_host(0, _compute(pci_pools=[{'count': 4}])),
             _host(1, _compute(pci_pools=[{'count': 3}]))]
    spec = fakes.make_spec(pci_requests=[numa_pci.PCIRequest(count=2)])
    wh = _weigher('PCIWeigher')
    host_set = host_sets.HostStateSet(hosts)
    # Stacking: the host with fewer free devices first.
    assert wh.weigh(host_set, spec, [0, 1]).tolist() == [0.0, 1.0]
    host_set.consume(0, {'allocations': {}})
    _name, weigher = wh.weighers[0]
    assert weigher.weigh_columns(host_set, spec).tolist() == [98, 97]
    assert weigher._weigh_object(host_set[0], spec) == 98


def test_soft_affinity_prefers_hosts_with_group_members():
    spec = fakes.make_spec(instance_group=request_spec.InstanceGroup(
        policy='soft-affinity', members=['a', 'b', 'c']))
    hosts = [_host(0, instances={'a': {}}),
             _host(1, instances={'b': {}, 'c': {}, 'x': {}}),
             _host(2)]
    assert _weights('ServerGroupSoftAffinityWeigher', hosts, spec) == [
        0.5, 1.0, 0.0]
    assert _weights('ServerGroupSoftAntiAffinityWeigher', hosts, spec) == [
        0.0, 0.0, 0.0]


def test_soft_anti_affinity_prefers_hosts_without_group_members():
    spec = fakes.make_spec(instance_group=request_spec.InstanceGroup(
        policy='soft-anti-affinity', members=['a', 'b']))
    hosts = [_host(0, instances={'a': {}, 'b': {}}), _host(1)]
    assert _best('ServerGroupSoftAntiAffinityWeigher', hosts, spec) == 1


def test_cross_cell_move_prefers_the_current_cell():
    destination = request_spec.Destination(cell_uuid=OTHER_CELL,
                                           allow_cross_cell_move=True)
    spec = fakes.make_spec(requested_destination=destination)
    hosts = [_host(0), _host(1, cell=OTHER_CELL)]
    assert _weights('CrossCellWeigher', hosts, spec) == [0.0, 1e6]


def test_cross_cell_weigher_is_neutral_without_a_cross_cell_move():
    spec = fakes.make_spec(requested_destination=request_spec.Destination(
        cell_uuid=OTHER_CELL))
    hosts = [_host(0), _host(1, cell=OTHER_CELL)]
    assert _weights('CrossCellWeigher', hosts, spec) == [0.0, 0.0]


def test_metrics_weigh_the_weighted_sum_of_metrics():
    hosts = [_host(0, _compute(metrics={'cpu.freq': 2000, 'load': 4})),
             _host(1, _compute(metrics={'cpu.freq': 1000, 'load': 0}))]
    groups = {'metrics': {'weight_setting': ['cpu.freq=1', 'load=-500']}}
    # 2000 - 2000 = 0 and 1000 - 0 = 1000.
    assert _weights('MetricsWeigher', hosts, **groups) == [0.0, 1.0]


def test_missing_required_metric_fails_the_request_with_a_reason():
    hosts = [_host(0, _compute(metrics={'a': 1})), _host(1, _compute())]
    with pytest.raises(exception.NoValidHost) as e:
        _weights('MetricsWeigher', hosts,
                 metrics={'weight_setting': ['a=1']})
    assert '1 of 2 weighed hosts report no metric a' in e.value.reason
    assert 'required' in e.value.reason
    # The host is the operator's to read, not the caller's.
    assert 'host-1' not in e.value.reason and 'host-1' in e.value.detail


def test_missing_optional_metric_weighs_the_unavailable_value():
    hosts = [_host(0, _compute(metrics={'a': 5})), _host(1, _compute())]
    wh = _weigher('MetricsWeigher', metrics={
        'weight_setting': ['a=1'], 'required': False})
    weigher = wh.weighers[0][1]
    raw = weigher.weigh_columns(host_sets.HostStateSet(hosts),
                                fakes.make_spec())
    assert list(raw) == [5.0, -10000.0]


def test_image_properties_off_by_default():
    spec = fakes.make_spec(image=request_spec.Image(
        properties={'os_distro': 'windows'}))
    hosts = [_host(0, instances={'i': {'os_distro': 'windows'}}), _host(1)]
    assert _weights('ImagePropertiesWeigher', hosts, spec) == [0.0, 0.0]


def test_image_properties_count_instances_sharing_requested_values():
    spec = fakes.make_spec(image=request_spec.Image(
        properties={'os_distro': 'windows', 'hw_machine_type': 'q35'}))
    hosts = [
        _host(0, instances={'i': {'os_distro': 'windows',
                                  'hw_machine_type': 'q35'},
                            'j': {'os_distro': 'linux'}}),
        _host(1, instances={'k': {'os_distro': 'windows'}}),
        _host(2)]
    wh = _weigher('ImagePropertiesWeigher', filter_scheduler={
        'image_props_weight_multiplier': 1.0})
    weigher = wh.weighers[0][1]
    host_set = host_sets.HostStateSet(hosts)
    assert list(weigher.weigh_columns(host_set, spec)) == [2.0, 1.0, 0.0]
    wh = _weigher('ImagePropertiesWeigher', filter_scheduler={
        'image_props_weight_multiplier': 1.0,
        'image_props_weight_setting': ['hw_machine_type=-3', 'x']})
    weigher = wh.weighers[0][1]
    assert list(weigher.weigh_columns(host_set, spec)) == [-3.0, 0.0, 0.0]


def test_image_properties_compare_text_as_the_requested_type():
    # System metadata holds text; the request's properties arrive typed.
    spec = fakes.make_spec(image=request_spec.Image(properties={
        'hw_vif_multiqueue_enabled': True, 'hw_cpu_cores': 2,
        'hw_disk_bus': 'scsi'}))
    hosts = [
        _host(0, instances={'i': {'hw_vif_multiqueue_enabled': 'true',
                                  'hw_cpu_cores': '2',
                                  'hw_disk_bus': 'scsi'}}),
        _host(1, instances={'j': {'hw_vif_multiqueue_enabled': 'false',
                                  'hw_cpu_cores': 'two',
                                  'hw_disk_bus': 'virtio'}}),
        # The image's own fields are not properties.
        _host(2, instances={'k': {'min_ram': '2', 'disk_format': 'qcow2'}})]
    spec.image.properties['min_ram'] = 2
    wh = _weigher('ImagePropertiesWeigher', filter_scheduler={
        'image_props_weight_multiplier': 1.0})
    weigher = wh.weighers[0][1]
    host_set = host_sets.HostStateSet(hosts)
    assert list(weigher.weigh_columns(host_set, spec)) == [3.0, 0.0, 0.0]
    assert [weigher._weigh_object(h, spec) for h in hosts] == [3.0, 0.0, 0.0]


def test_image_properties_weigher_warns_when_no_source_reads_them(caplog):
    _weigher('ImagePropertiesWeigher', filter_scheduler={
        'image_props_weight_multiplier': 1.0})
    assert 'only the nova_db host-facts source reads them' in caplog.text
    caplog.clear()
    conf = fakes.make_conf(filter_scheduler={
        'image_props_weight_multiplier': 1.0,
        'weight_classes': ['ImagePropertiesWeigher']})
    conf.set_override('sources', ['nova_db'], group='host_facts')
    handler.WeightHandler(conf)
    assert 'nova_db host-facts source' not in caplog.text


def test_aggregate_metadata_overrides_the_multiplier():
    hosts = [_host(0, free_ram=1000,
                   aggregates=[_aggregate(ram_weight_multiplier=-1)]),
             _host(1, free_ram=4000)]
    assert _weights('RAMWeigher', hosts) == [-0.25, 1.0]


def test_lowest_aggregate_override_wins_and_bad_values_fall_back():
    hosts = [_host(0, free_ram=4000,
                   aggregates=[_aggregate(ram_weight_multiplier=5),
                               _aggregate(ram_weight_multiplier=2, x=1)]),
             _host(1, free_ram=4000,
                   aggregates=[_aggregate(ram_weight_multiplier='many')])]
    assert _weights('RAMWeigher', hosts) == [2.0, 1.0]


def test_build_failure_override_is_negated_too():
    hosts = [_host(0, _compute(stats={'failed_builds': 2}),
                   aggregates=[_aggregate(
                       build_failure_weight_multiplier=10)]),
             _host(1, _compute(stats={'failed_builds': 0}))]
    assert _weights('BuildFailureWeigher', hosts) == [-10.0, 0.0]


ALL = ['BuildFailureWeigher', 'CPUWeigher', 'CrossCellWeigher',
       'DiskWeigher', 'HypervisorVersionWeigher', 'ImagePropertiesWeigher',
       'IoOpsWeigher', 'MetricsWeigher', 'NumInstancesWeigher',
       'PCIWeigher', 'RAMWeigher', 'ServerGroupSoftAffinityWeigher',
       'ServerGroupSoftAntiAffinityWeigher']
KEYS = ['ram_weight_multiplier', 'io_ops_weight_multiplier',
        'build_failure_weight_multiplier', 'metrics_weight_multiplier',
        'soft_affinity_weight_multiplier', 'pci_weight_multiplier']
PROPS = {'os_distro': ['windows', 'linux'], 'hw_machine_type': ['q35']}

small = st.integers(min_value=0, max_value=5)
props = st.dictionaries(st.sampled_from(sorted(PROPS)), st.just('x')).map(
    lambda d: {k: PROPS[k][len(k) % len(PROPS[k])] for k in d})


@st.composite
def host_states(draw):
    hosts = []
    for i in range(draw(st.integers(min_value=2, max_value=12))):
        compute = None
        if draw(st.booleans()):
            compute = _compute(
                stats={'num_io_ops': draw(small),
                       'num_instances': draw(small),
                       'failed_builds': draw(small)},
                hypervisor_version=draw(st.sampled_from([None, 1, 2, 3])),
                pci_pools=[{'count': draw(small)}],
                metrics={m: draw(small) for m in draw(
                    st.sets(st.sampled_from(['a', 'b'])))})
        aggregates = [
            _aggregate(**{draw(st.sampled_from(KEYS)): draw(
                st.sampled_from(['-2', '0', '1.5', '3', 'bad']))})
            for _ in range(draw(st.integers(min_value=0, max_value=2)))]
        instances = {'m%d' % draw(small): draw(props)
                     for _ in range(draw(small))}
        hosts.append(_host(i, compute, aggregates, instances,
                           cell=draw(st.sampled_from([CELL, OTHER_CELL])),
                           free_ram=draw(st.integers(0, 8192))))
    return hosts


@st.composite
def specs(draw):
    group = None
    if draw(st.booleans()):
        group = request_spec.InstanceGroup(
            policy=draw(st.sampled_from(['soft-affinity',
                                         'soft-anti-affinity'])),
            members=['m%d' % n for n in range(draw(small))])
    destination = None
    if draw(st.booleans()):
        destination = request_spec.Destination(
            cell_uuid=OTHER_CELL, allow_cross_cell_move=draw(st.booleans()))
    return fakes.make_spec(
        instance_group=group, requested_destination=destination,
        image=request_spec.Image(properties=draw(props)))


def _per_host(weigher):
    """A per-host weigher asking ``weigher`` about one host at a time."""
    class PerHost(base.BaseHostWeigher):
        minval = weigher.minval
        maxval = weigher.maxval
        reads_facts = weigher.reads_facts

        def depends_on_facts(self, spec):
            return weigher.depends_on_facts(spec)

        def weight_multiplier(self, host_state):
            return weigher.weight_multiplier(host_state)

        def _weigh_object(self, host_state, spec):
            return weigher._weigh_object(host_state, spec)

    return PerHost(conf=weigher.conf)


@hypothesis.settings(max_examples=60, deadline=None)
@hypothesis.given(hosts=host_states(), spec=specs(),
                  placed=st.lists(st.integers(0, 11), max_size=3))
def test_column_and_per_host_paths_give_identical_weights(hosts, spec,
                                                          placed):
    conf = fakes.make_conf(
        filter_scheduler={'image_props_weight_multiplier': -1.0,
                          'num_instances_weight_multiplier': 2.0},
        metrics={'weight_setting': ['a=1', 'b=-2'], 'required': False})
    host_set = host_sets.HostStateSet(hosts)
    for index in placed:
        if index < len(host_set):
            host_set.consume(index, {'allocations': {}})
    indices = np.arange(len(host_set))
    for name, weigher in handler.load_weighers(conf):
        column = handler.WeightHandler(conf, [(name, weigher)]).weigh(
            host_set, spec, indices)
        per_host = handler.WeightHandler(
            conf, [(name, _per_host(weigher))]).weigh(host_set, spec,
                                                      indices)
        np.testing.assert_allclose(column, per_host, err_msg=name)


def test_required_metric_missing_on_a_host_not_weighed_is_no_failure():
    hosts = [_host(0, _compute(metrics={'a': 1})), _host(1, _compute()),
             _host(2, _compute(metrics={'a': 3}))]
    wh = _weigher('MetricsWeigher', metrics={'weight_setting': ['a=1']})
    weights = wh.weigh(host_sets.HostStateSet(hosts), fakes.make_spec(),
                       [0, 2])
    assert list(weights) == [0.0, 1.0]


def test_instances_placed_by_a_group_request_count_as_members():
    spec = fakes.make_spec(instance_group=request_spec.InstanceGroup(
        policy='soft-anti-affinity', members=['a']))
    hosts = [_host(0, instances={'a': {}}), _host(1), _host(2)]
    host_set = host_sets.HostStateSet(hosts)
    host_set.consume(1, {'allocations': {}})
    host_set.consume(1, {'allocations': {}})
    wh = _weigher('ServerGroupSoftAntiAffinityWeigher')
    # Raw -1, -2 and 0, normalised over [-2, 0].
    assert list(wh.weigh(host_set, spec, [0, 1, 2])) == [0.5, 0.0, 1.0]
