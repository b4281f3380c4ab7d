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

"""Our filters and weighers against Nova 34's own, on random cases.

For each of 250 random host-state sets and requests (plain data from
``pipeline_cases``), Nova's ``HostFilterHandler`` and ``HostWeightHandler``
run here, on Nova ``HostState`` objects, and ours run in a child process
(Nova and ``scheduler.conf`` both own ``cfg.CONF``) on the equivalent
``HostStateSet``. The hosts that pass must be the same, and our ten best
hosts must be Nova's ten best in order, ties aside: the host we rank k-th
has, by Nova's weights, Nova's k-th best weight. Run with Nova's defaults
and with a configuration where every multiplier and limit differs.
Multi-creates too: 120 requests of 3 instances, placed one by one as Nova's
scheduler manager does, compared at every instance.

Filters: those of the configuration that both Nova and our
``scheduler.filters`` namespace provide (the set in use is printed); the
non-default one adds JsonFilter, with a random ``query`` hint in 40% of
the requests.
Not compared: ImagePropertiesWeigher with a non-zero multiplier (Nova's
reads instances' image metadata from its cell database) and
CrossCellWeigher during cross-cell moves (our request model does not carry
``allow_cross_cell_move``).
"""

import importlib.metadata
import json
import math
import os
import subprocess
import sys

import pytest

from tests.nova_compat import pipeline_cases

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
CASES = 250
MULTI_CASES = 120
MULTI_INSTANCES = 3
TOP = 10

NOVA_DEFAULT_FILTERS = [
    'ComputeFilter', 'ComputeCapabilitiesFilter', 'ImagePropertiesFilter',
    'ServerGroupAntiAffinityFilter', 'ServerGroupAffinityFilter']
EXTRA_FILTERS = [
    'IoOpsFilter', 'NumInstancesFilter', 'AggregateIoOpsFilter',
    'AggregateNumInstancesFilter', 'AggregateInstanceExtraSpecsFilter',
    'MetricsFilter', 'JsonFilter']

NON_DEFAULT = {
    'filter_scheduler': {
        'ram_weight_multiplier': -1.0,
        'cpu_weight_multiplier': 2.0,
        'disk_weight_multiplier': 0.5,
        'io_ops_weight_multiplier': 2.0,
        'num_instances_weight_multiplier': -1.5,
        'hypervisor_version_weight_multiplier': -1.0,
        'pci_weight_multiplier': 3.0,
        'build_failure_weight_multiplier': 10.0,
        'soft_affinity_weight_multiplier': 5.0,
        'soft_anti_affinity_weight_multiplier': 2.0,
        'max_io_ops_per_host': 6,
        'max_instances_per_host': 40,
    },
    'metrics': {
        'weight_setting': ['cpu.frequency=1.0', 'cpu.percent=-0.5'],
        'weight_multiplier': 2.0,
    },
}


def _our_filters():
    return {ep.name for ep in importlib.metadata.entry_points(
        group='scheduler.filters')}


def _filters(wanted):
    ours = _our_filters()
    return [name for name in wanted if name in ours]


def _run_ours(conf, cases, kind='compare'):
    job = {'kind': kind, 'conf': conf, 'cases': cases}
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.run(
        [sys.executable, '-m', 'tests.nova_compat.pipeline_ours'],
        input=json.dumps(job), capture_output=True, text=True, cwd=ROOT,
        env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def _run_nova(overrides, filter_names, cases):
    from tests.nova_compat import pipeline_nova

    clear = pipeline_nova.configure(overrides)
    try:
        pipeline = pipeline_nova.Pipeline(filter_names)
        results = []
        for case in cases:
            states = pipeline_nova.make_host_states(case['hosts'],
                                                    case['aggregates'])
            spec = pipeline_nova.make_spec(case['spec'])
            passed, weighed = pipeline.rank(states, spec)
            results.append({
                'passed': sorted(s.host for s in passed),
                'weights': {w.obj.host: w.weight for w in weighed}})
        return results
    finally:
        clear()


def _close(a, b):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _differences(n, case, nova, ours, step=None):
    """What differs in one case, as readable lines (empty: agreement)."""
    spec = case['spec']
    where = 'case %d (%d hosts, group %s, extra specs %s, image %s)' % (
        n, len(case['hosts']), (spec['group'] or {}).get('policy'),
        spec['extra_specs'], spec['image_props'])
    if step is not None:
        where += ' instance %d' % (step + 1)
    if nova['passed'] != ours['passed']:
        only_nova = sorted(set(nova['passed']) - set(ours['passed']))
        only_ours = sorted(set(ours['passed']) - set(nova['passed']))
        return ['%s: passing hosts differ; only Nova: %s; only ours: %s'
                % (where, only_nova[:5], only_ours[:5])]
    nova_best = sorted(nova['weights'].values(), reverse=True)
    our_order = sorted(ours['weights'], key=lambda h: -ours['weights'][h])
    for k, host in enumerate(our_order[:TOP]):
        if not _close(nova['weights'][host], nova_best[k]):
            return ['%s: our #%d is %s (Nova weight %r, ours %r); Nova\'s '
                    '#%d weighs %r' % (where, k + 1, host,
                                       nova['weights'][host],
                                       ours['weights'][host], k + 1,
                                       nova_best[k])]
    return []


CONFIGS = [
    ('nova-defaults', {}, NOVA_DEFAULT_FILTERS, 11),
    ('non-default', NON_DEFAULT, NOVA_DEFAULT_FILTERS + EXTRA_FILTERS, 23),
]


def _our_conf(overrides, filter_names):
    conf = {group: dict(values) for group, values in overrides.items()}
    conf.setdefault('filter_scheduler', {})['enabled_filters'] = (
        filter_names)
    return conf


@pytest.mark.parametrize('name,overrides,wanted,seed', CONFIGS)
def test_passing_hosts_and_top_ten_order_match_nova(name, overrides, wanted,
                                                    seed):
    filter_names = _filters(wanted)
    assert 'ComputeFilter' in filter_names
    print('%s: filters %s' % (name, ', '.join(filter_names)))
    cases = pipeline_cases.make_cases(CASES, seed)
    ours = _run_ours(_our_conf(overrides, filter_names), cases)
    assert ours['filters'] == filter_names
    nova = _run_nova(overrides, filter_names, cases)
    problems = []
    for n, case in enumerate(cases):
        problems += _differences(n, case, nova[n], ours['results'][n])
    assert not problems, '%d of %d cases differ:\n%s' % (
        len(problems), len(cases), '\n'.join(problems[:15]))
    # The comparison means something only if hosts get ranked: most cases
    # must leave several hosts with different weights.
    ranked = sum(1 for r in nova if len(set(r['weights'].values())) > 1)
    print('%s: %d cases, %d with hosts of different weights'
          % (name, len(cases), ranked))
    assert ranked >= len(cases) // 2


@pytest.mark.parametrize('name,overrides,wanted,seed', CONFIGS)
def test_each_instance_of_a_multi_create_matches_nova(name, overrides,
                                                      wanted, seed):
    # Nova places the instances one by one on its best host; ours
    # consumes the same hosts and must agree at every step.
    from tests.nova_compat import pipeline_nova

    filter_names = _filters(wanted)
    cases = pipeline_cases.make_multi_cases(MULTI_CASES, seed + 1,
                                            MULTI_INSTANCES)
    clear = pipeline_nova.configure(overrides)
    try:
        pipeline = pipeline_nova.Pipeline(filter_names)
        nova = []
        for case in cases:
            steps, case['chosen'] = pipeline_nova.rank_multi(
                pipeline,
                pipeline_nova.make_host_states(case['hosts'],
                                               case['aggregates']),
                pipeline_nova.make_spec(case['spec']),
                case['instance_uuids'])
            nova.append(steps)
    finally:
        clear()
    ours = _run_ours(_our_conf(overrides, filter_names), cases, 'multi')
    problems = []
    for n, case in enumerate(cases):
        for step, nova_step in enumerate(nova[n][:len(case['chosen'])]):
            problems += _differences(n, case, nova_step,
                                     ours['results'][n][step], step)
    assert not problems, '%d steps differ:\n%s' % (
        len(problems), '\n'.join(problems[:15]))
    placed = sum(len(case['chosen']) for case in cases)
    assert placed >= MULTI_CASES * MULTI_INSTANCES // 2
