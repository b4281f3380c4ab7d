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

"""Filters of compute details with and without a source reporting them."""

import logging

from scheduler.filters import compute_facts
from scheduler.filters import handler
from scheduler.filters import image_properties_filter as ipf
from scheduler.filters import num_instances_filter as nif
from scheduler.filters import numa_topology_filter as ntf
from scheduler.filters import server_group_anti_affinity_filter as anti
from scheduler.objects import numa_pci
from tests.unit.filters import helpers as h


def _hosts():
    return [h.host('reported', compute=h.compute(
                supported_instances=[['aarch64', 'kvm', 'hvm']],
                stats={'num_instances': '60'})),
            h.host('unreported')]


def _summary(name, flt, hosts, spec):
    _, trace = handler.FilterHandler(conf=flt.conf, filters=[
        (name, flt)]).run(h.host_set(hosts), spec)
    return trace.summary()


def test_without_a_compute_source_unreported_hosts_fail_closed(caplog):
    with caplog.at_level(logging.WARNING, logger=compute_facts.__name__):
        flt = ipf.ImagePropertiesFilter(conf=h.conf(sources=()))
    assert 'ImagePropertiesFilter reads compute details' in caplog.text
    spec = h.spec(image_props={'hw_architecture': 'aarch64'})
    assert h.passing(flt, _hosts(), spec) == ['reported']
    assert _summary('ImagePropertiesFilter', flt, _hosts(), spec) == (
        'ImagePropertiesFilter 2->1 (1 of them with compute service and '
        'details unknown: no source reported it)')
    flt = nif.NumInstancesFilter(conf=h.conf(sources=(),
                                             max_instances_per_host=100))
    assert h.passing(flt, _hosts(), h.spec()) == ['reported']
    assert 'NumInstancesFilter 2->1 (1 of them with compute service' in (
        _summary('NumInstancesFilter', flt, _hosts(), h.spec()))


def test_with_a_compute_source_unreported_hosts_fail_closed():
    spec = h.spec(image_props={'hw_architecture': 'aarch64'})
    flt = ipf.ImagePropertiesFilter(conf=h.conf(sources=('nova_db',)))
    assert h.passing(flt, _hosts(), spec) == ['reported']
    flt = nif.NumInstancesFilter(conf=h.conf(sources=('file',)))
    assert h.passing(flt, _hosts(), h.spec()) == []


def test_numa_request_fails_an_unreported_host_with_or_without_a_source():
    spec = h.spec(numa_topology=numa_pci.InstanceNUMATopology(cells=[
        numa_pci.InstanceNUMACell(cpuset=frozenset([0]), memory=512)]))
    assert h.passing(ntf.NUMATopologyFilter(conf=h.conf(sources=())),
                     _hosts(), spec) == []
    assert h.passing(ntf.NUMATopologyFilter(conf=h.conf()),
                     _hosts(), spec) == []
    assert _summary('NUMATopologyFilter',
                    ntf.NUMATopologyFilter(conf=h.conf(sources=())),
                    [h.host('unreported')], spec) == (
        'NUMATopologyFilter 1->0 (1 of them with compute service and '
        'details unknown: no source reported it)')


def test_a_host_whose_whole_instance_list_is_known_empty_is_empty():
    # A sync_instance_info (or nova_db) said the host runs no instance:
    # it runs no member and takes one.
    synced = h.host('synced', aggregates=[h.aggregate(1, {})],
                    instances_known=True)
    spec = h.spec(group=h.group('anti-affinity', members=['m1']))
    flt = anti.ServerGroupAntiAffinityFilter(conf=h.conf(sources=()))
    assert h.passing(flt, [synced, h.host('never-heard-of')], spec) == [
        'synced']


def test_anti_affinity_refuses_a_host_known_only_through_an_aggregate():
    # Nova's update_aggregates names the host; nothing told its instances.
    in_aggregate = h.host('in-aggregate', aggregates=[h.aggregate(1, {})])
    synced = h.host('synced', instances=['other'])
    spec = h.spec(group=h.group('anti-affinity', members=['m1']))
    flt = anti.ServerGroupAntiAffinityFilter(conf=h.conf(sources=()))
    assert h.passing(flt, [in_aggregate, synced], spec) == ['synced']
    assert _summary('ServerGroupAntiAffinityFilter', flt,
                    [in_aggregate, synced], spec) == (
        'ServerGroupAntiAffinityFilter 2->1 (1 of them with instance list '
        'unknown: no source reported it)')
