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

"""Random host sets and requests as plain data, for both pipelines.

The differential test and ``tools/bench_pipeline.py`` describe each case
once, as JSON-able dicts, and build from it Nova's host states (in a
process that imports Nova) and ours (in a process that imports
``scheduler.conf``: the two cannot share a process). Nothing here imports
either.

Equivalence: every host has allocation ratio 1.0 and no reservation, so
Nova's free RAM/disk/vCPUs (from the compute node) and ours (Placement's
capacity minus usage) are the same numbers.
"""

import json
import random
import uuid

CELL = 'c0ffee00-1a2b-4c3d-8e9f-0123456789ab'
OTHER_CELL = 'c0ffee00-1a2b-4c3d-8e9f-0123456789ac'
ARCHES = ('x86_64', 'aarch64')
HV_TYPES = ('QEMU', 'kvm')
METRICS = ('cpu.frequency', 'cpu.percent')
MULTIPLIER_KEYS = ('ram_weight_multiplier', 'cpu_weight_multiplier',
                   'io_ops_weight_multiplier', 'pci_weight_multiplier',
                   'build_failure_weight_multiplier',
                   'soft_affinity_weight_multiplier',
                   'metrics_weight_multiplier')


def _uuid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def make_aggregates(rng, count):
    aggregates = []
    for n in range(count):
        metadata = {}
        if rng.random() < 0.5:
            metadata[rng.choice(MULTIPLIER_KEYS)] = rng.choice(
                ['-1.0', '0', '2.5', '10'])
        if rng.random() < 0.3:
            metadata['max_io_ops_per_host'] = str(rng.randint(1, 8))
        if rng.random() < 0.3:
            metadata['max_instances_per_host'] = str(rng.randint(1, 40))
        aggregates.append({'id': n + 1, 'uuid': _uuid(rng),
                           'name': 'agg-%d' % n, 'metadata': metadata})
    return aggregates


def make_hosts(count, seed, varied=True, aggregates=4):
    """``(hosts, aggregates)``: ``count`` hosts as plain dicts.

    ``varied``: some hosts disabled, of another architecture, with failed
    builds, PCI devices, metrics, aggregates with metadata.
    """
    rng = random.Random(seed)
    aggs = make_aggregates(rng, aggregates) if varied else []
    hosts = []
    for i in range(count):
        name = 'cmp-%05d' % i
        vcpus = rng.choice([16, 32, 64])
        ram = rng.choice([32768, 65536, 131072])
        disk = rng.choice([500, 1000, 2000])
        host = {
            'name': name,
            'uuid': str(uuid.uuid5(uuid.NAMESPACE_DNS,
                                   '%s-%d' % (name, seed))),
            'cell': CELL if not varied or rng.random() < 0.8 else OTHER_CELL,
            'vcpus': vcpus, 'vcpus_used': rng.randint(0, vcpus - 4),
            'ram_mb': ram, 'ram_used': rng.randrange(0, ram - 4096, 512),
            'disk_gb': disk, 'disk_used': rng.randrange(0, disk - 40, 10),
            'disabled': varied and rng.random() < 0.05,
            'io_ops': rng.randint(0, 10),
            'num_instances': rng.randint(0, 50),
            'failed_builds': (rng.randint(1, 3)
                              if varied and rng.random() < 0.05 else 0),
            'hv_type': rng.choice(HV_TYPES),
            'hv_version': rng.choice([6002000, 7002000, 8000000, 9001000]),
            'arch': (rng.choice(ARCHES) if varied and rng.random() < 0.1
                     else 'x86_64'),
            'pci': (rng.choice([1, 4, 8])
                    if varied and rng.random() < 0.2 else 0),
            'metrics': ({m: rng.randint(0, 100) for m in METRICS
                         if rng.random() < 0.9} if varied else {}),
            'aggregates': sorted(rng.sample(
                range(len(aggs)), rng.randint(0, min(2, len(aggs))))),
            'instances': [_uuid(rng) for _ in range(rng.randint(0, 3))],
        }
        hosts.append(host)
    for n, agg in enumerate(aggs):
        agg['hosts'] = [h['name'] for h in hosts if n in h['aggregates']]
    return hosts, aggs


_QUERY_NUMBERS = {'$free_ram_mb': [4096, 32768, 65536],
                  '$total_usable_ram_mb': [32768, 65536],
                  '$vcpus_used': [4, 16, 30],
                  '$vcpus_total': [16, 32, 64],
                  '$free_disk_mb': [102400, 512000]}


def make_query(rng, depth=0):
    """A random JsonFilter query over attributes both schedulers share."""
    ops = ['=', '<', '>', '<=', '>=', 'in']
    if depth < 2:
        ops += ['not', 'or', 'and']
    op = rng.choice(ops)
    if op in ('or', 'and'):
        return [op] + [make_query(rng, depth + 1)
                       for _ in range(rng.randint(1, 3))]
    if op == 'not':
        return ['not', make_query(rng, depth + 1)]
    if rng.random() < 0.25:
        # Strings only with = and in: Nova compares with Python's < too.
        values = list(HV_TYPES) + ['nonesuch']
        if op == 'in':
            return ['in', '$hypervisor_type'] + rng.sample(values, 2)
        return ['=', '$hypervisor_type', rng.choice(values)]
    attribute = rng.choice(sorted(_QUERY_NUMBERS))
    values = _QUERY_NUMBERS[attribute]
    if op == 'in':
        return ['in', attribute] + rng.sample(values, 2)
    return [op, attribute, rng.choice(values)]


def make_spec(rng, hosts, varied=True):
    """A request as a plain dict, sometimes in a server group."""
    spec = {'vcpus': rng.choice([1, 2, 4]),
            'memory_mb': rng.choice([512, 2048, 4096]),
            'root_gb': rng.choice([1, 10, 20]),
            'extra_specs': {}, 'image_props': {}, 'group': None,
            'project_id': 'bench-project', 'instance_uuid': _uuid(rng),
            'hints': {}}
    if not varied:
        return spec
    if rng.random() < 0.4:
        spec['hints']['query'] = [json.dumps(make_query(rng))]
    if rng.random() < 0.3:
        spec['extra_specs']['capabilities:hypervisor_type'] = rng.choice(
            HV_TYPES)
    if rng.random() < 0.3:
        spec['image_props']['hw_architecture'] = rng.choice(ARCHES)
    if rng.random() < 0.4:
        placed = [h for h in hosts if h['instances']]
        members = []
        group_hosts = []
        for host in rng.sample(placed, min(len(placed), rng.randint(1, 4))):
            members.append(rng.choice(host['instances']))
            group_hosts.append(host['name'])
        spec['group'] = {
            'uuid': _uuid(rng),
            'policy': rng.choice(['affinity', 'anti-affinity',
                                  'soft-affinity', 'soft-anti-affinity']),
            'members': members + [spec['instance_uuid']],
            'hosts': sorted(set(group_hosts))}
    return spec


def make_cases(count, seed, max_hosts=60):
    """``count`` random (hosts, aggregates, spec) cases."""
    rng = random.Random(seed)
    cases = []
    for n in range(count):
        hosts, aggs = make_hosts(rng.randint(2, max_hosts), seed * 1000 + n,
                                 aggregates=rng.randint(0, 4))
        cases.append({'hosts': hosts, 'aggregates': aggs,
                      'spec': make_spec(rng, hosts)})
    return cases


def make_multi_cases(count, seed, instances=3, max_hosts=40):
    """Multi-create cases of ``instances`` instances each.

    Small flavors that fit any host ``instances`` times; server groups
    are soft ones only, with every instance of the request a member.
    """
    rng = random.Random(seed)
    cases = []
    for n in range(count):
        hosts, aggs = make_hosts(rng.randint(2, max_hosts), seed * 1000 + n,
                                 aggregates=rng.randint(0, 4))
        spec = make_spec(rng, hosts)
        spec.update(vcpus=1, memory_mb=512, root_gb=1)
        uuids = [spec['instance_uuid']] + [_uuid(rng)
                                           for _ in range(instances - 1)]
        if spec['group'] is not None:
            spec['group']['policy'] = rng.choice(['soft-affinity',
                                                  'soft-anti-affinity'])
            spec['group']['members'] += uuids[1:]
        cases.append({'hosts': hosts, 'aggregates': aggs, 'spec': spec,
                      'instance_uuids': uuids})
    return cases
