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

"""Nova's side of the pipeline comparison: plain cases -> Nova 34's own
HostFilterHandler and HostWeightHandler.

Imports Nova, so it runs only where Nova is installed, never next to
``scheduler.conf``. ``python -m tests.nova_compat.pipeline_nova`` reads a
bench job (JSON) on stdin and writes its timings on stdout; the
differential test imports it directly.
"""

import datetime
import json
import random
import statistics
import sys
import time

import nova.conf
from nova import objects
from nova.pci import stats as pci_stats
from nova.scheduler import filters as nova_filters
from nova.scheduler import host_manager
from nova.scheduler import weights as nova_weights

from tests.nova_compat import pipeline_cases

CONF = nova.conf.CONF
ALL_FILTERS = 'nova.scheduler.filters.all_filters'
ALL_WEIGHERS = 'nova.scheduler.weights.all_weighers'


def configure(overrides):
    """Apply ``{group: {name: value}}`` to Nova's config.

    Nova's filters and weighers read their options from ``CONF``; options
    not overridden keep Nova's defaults (no config file is read).
    Returns a function that removes the overrides again.
    """
    objects.register_all()
    applied = []
    for group, values in overrides.items():
        for name, value in values.items():
            CONF.set_override(name, value, group=group)
            applied.append((name, group))

    def clear():
        for name, group in applied:
            CONF.clear_override(name, group=group)
    return clear


def make_spec(plain):
    group = None
    if plain['group']:
        g = plain['group']
        group = objects.InstanceGroup(
            uuid=g['uuid'], policy=g['policy'], policies=[g['policy']],
            hosts=list(g['hosts']),
            members=list(g['members']), rules={})
    flavor = objects.Flavor(
        id=1, flavorid='bench', name='bench', vcpus=plain['vcpus'],
        memory_mb=plain['memory_mb'], root_gb=plain['root_gb'],
        ephemeral_gb=0, swap=0, extra_specs=dict(plain['extra_specs']))
    image = objects.ImageMeta.from_dict(
        {'id': '6d4a0cb8-57a1-4e43-a8b5-f8c3e2a0e1a1', 'name': 'bench',
         'properties': dict(plain['image_props'])})
    return objects.RequestSpec(
        flavor=flavor, image=image, instance_group=group,
        project_id=plain['project_id'], user_id='bench-user',
        instance_uuid=plain['instance_uuid'], num_instances=1,
        scheduler_hints={k: list(v) for k, v in
                         plain.get('hints', {}).items()},
        ignore_hosts=None, force_hosts=None,
        force_nodes=None, requested_destination=None, pci_requests=None,
        numa_topology=None, is_bfv=False)


def make_host_states(hosts, aggregates):
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    aggs = [objects.Aggregate(id=a['id'], uuid=a['uuid'], name=a['name'],
                              hosts=list(a['hosts']),
                              metadata=dict(a['metadata']))
            for a in aggregates]
    result = []
    for host in hosts:
        state = host_manager.HostState(host['name'], host['name'],
                                       host['cell'])
        state.uuid = host['uuid']
        state.total_usable_ram_mb = host['ram_mb']
        state.free_ram_mb = host['ram_mb'] - host['ram_used']
        state.total_usable_disk_gb = host['disk_gb']
        state.disk_mb_used = host['disk_used'] * 1024
        state.free_disk_mb = (host['disk_gb'] - host['disk_used']) * 1024
        state.vcpus_total = host['vcpus']
        state.vcpus_used = host['vcpus_used']
        state.cpu_allocation_ratio = 1.0
        state.ram_allocation_ratio = 1.0
        state.disk_allocation_ratio = 1.0
        state.num_io_ops = host['io_ops']
        state.num_instances = host['num_instances']
        state.failed_builds = host['failed_builds']
        state.stats = {'io_workload': str(host['io_ops']),
                       'num_instances': str(host['num_instances']),
                       'failed_builds': str(host['failed_builds'])}
        state.hypervisor_type = host['hv_type']
        state.hypervisor_version = host['hv_version']
        state.hypervisor_hostname = host['name']
        state.cpu_info = {'arch': host['arch']}
        state.supported_instances = [
            (host['arch'], host['hv_type'].lower(), 'hvm')]
        state.metrics = objects.MonitorMetricList(objects=[
            objects.MonitorMetric(name=name, value=value, source='bench',
                                  timestamp=now)
            for name, value in host['metrics'].items()])
        state.pci_stats = pci_stats.PciDeviceStats(None)
        if host['pci']:
            state.pci_stats.pools = [{
                'vendor_id': '8086', 'product_id': '1520',
                'count': host['pci'], 'numa_node': 0, 'devices': []}]
        state.service = {'disabled': host['disabled'],
                         'disabled_reason': None, 'host': host['name'],
                         'binary': 'nova-compute', 'created_at': now,
                         'updated_at': now, 'last_seen_up': now,
                         'forced_down': False}
        state.aggregates = [aggs[n] for n in host['aggregates']]
        state.instances = {u: objects.Instance(uuid=u)
                           for u in host['instances']}
        state.updated = now
        state.limits = {}
        result.append(state)
    return result


class Pipeline:
    """Nova's handlers with the named filters and every weigher."""

    def __init__(self, filter_names):
        self.filter_handler = nova_filters.HostFilterHandler()
        classes = {cls.__name__: cls for cls in
                   self.filter_handler.get_matching_classes([ALL_FILTERS])}
        self.filters = [classes[name]() for name in filter_names]
        self.weight_handler = nova_weights.HostWeightHandler()
        self.weighers = [cls() for cls in
                         self.weight_handler.get_matching_classes(
                             [ALL_WEIGHERS])]

    def rank(self, host_states, spec, index=0):
        """(passing host states, WeighedHosts best first)."""
        passed = list(self.filter_handler.get_filtered_objects(
            self.filters, host_states, spec, index))
        weighed = self.weight_handler.get_weighed_objects(
            self.weighers, passed, spec)
        return passed, weighed


def rank_multi(pipeline, states, spec, instance_uuids):
    """Place each instance as Nova's scheduler manager does.

    Each instance is filtered (with its index) and weighed over the hosts
    that passed for the previous one, then consumed on the best host,
    which joins the server group's hosts and records the instance.
    Returns ``(steps, chosen host names)``.
    """
    steps = []
    chosen = []
    hosts = states
    for index, instance_uuid in enumerate(instance_uuids):
        spec.instance_uuid = instance_uuid
        passed, weighed = pipeline.rank(hosts, spec, index)
        steps.append({'passed': sorted(s.host for s in passed),
                      'weights': {w.obj.host: w.weight for w in weighed}})
        if not weighed:
            break
        best = weighed[0].obj
        best.consume_from_request(spec)
        if spec.instance_group is not None:
            spec.instance_group.hosts.append(best.host)
            best.instances[instance_uuid] = objects.Instance(
                uuid=instance_uuid)
        chosen.append(best.host)
        hosts = [w.obj for w in weighed]
    return steps, chosen


def _median_ms(run, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bench(job):
    configure(job['conf'])
    pipeline = Pipeline(job['filters'])
    spec_plain = pipeline_cases.make_spec(random.Random(1), [],
                                          varied=False)
    spec = make_spec(spec_plain)
    out = {'filters': [type(f).__name__ for f in pipeline.filters],
           'weighers': sorted(type(w).__name__ for w in pipeline.weighers),
           'sizes': {}}
    for size in job['sizes']:
        hosts, aggs = pipeline_cases.make_hosts(size, seed=size)
        states = make_host_states(hosts, aggs)
        pipeline.rank(states, spec)
        out['sizes'][str(size)] = {'ms': _median_ms(
            lambda: pipeline.rank(states, spec), max(3, 2000 // size))}
    hosts, aggs = pipeline_cases.make_hosts(job['multi_hosts'], seed=7)
    states = make_host_states(hosts, aggs)
    start = time.perf_counter()
    for index in range(job['multi_count']):
        _passed, weighed = pipeline.rank(states, spec, index)
        weighed[0].obj.consume_from_request(spec)
    out['multi_ms'] = (time.perf_counter() - start) * 1000
    return out


def main():
    json.dump(bench(json.load(sys.stdin)), sys.stdout)


if __name__ == '__main__':
    main()
