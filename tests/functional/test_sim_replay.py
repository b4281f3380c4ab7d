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

"""The what-if simulator's replay, on a real (embedded) Placement.

In-process runs use the test process's CONF with the simulator's
defaults; the side-by-side runs spawn one process per configuration, as
``scheduler-sim`` does.
"""

import collections
import os
import subprocess
import sys

import pytest

from scheduler import conf as scheduler_conf
from scheduler.sim import cloud as sim_cloud
from scheduler.sim import compare
from scheduler.sim import replay
from scheduler.sim import report
from scheduler.sim import run as sim_run
from scheduler.sim import workload

CLOUD = '''
host_groups:
  - name: cn
    count: 6
    inventory: {VCPU: 8, MEMORY_MB: 16384, DISK_GB: 400}
flavors:
  small: {vcpus: 1, memory_mb: 2048, root_gb: 20}
  large: {vcpus: 4, memory_mb: 8192, root_gb: 40}
'''

SCENARIO = '''
seed: 7
duration: 6h
sample_every: 30m
streams:
  - name: mixed
    rate: 12/h
    flavors: {small: 3, large: 1}
    count: {1: 3, 2: 1}
    lifetime: {distribution: exponential, mean: 3h}
    resize: {probability: 0.3, after: 1h, to: large}
  - name: apart
    rate: 2/h
    flavors: small
    count: 2
    group: anti-affinity
    lifetime: {distribution: fixed, value: 2h}
'''

TRACE = '''time,op,id,flavor,count,group,hints
0,create,a,small,2,,
60,create,b,large,1,,
120,create,c,small,3,anti-affinity,
180,delete,a,,,,
240,resize,b,small,,,
300,create,d,large,2,,
360,delete,c,,,,
420,create,e,small,1,,
'''

SPREAD = '''[filter_scheduler]
ram_weight_multiplier = 1.0
cpu_weight_multiplier = 1.0
disk_weight_multiplier = 1.0
'''
PACK = SPREAD.replace('= 1.0', '= -1.0')


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.fixture
def conf():
    conf = scheduler_conf.CONF
    if not conf._args:
        conf([], project='scheduler', default_config_files=[],
             default_config_dirs=[])
    return conf


def _replay(conf, tmp_path, workload_file):
    cloud = sim_cloud.load_cloud(_write(tmp_path, 'cloud.yaml', CLOUD))
    load = workload.load(workload_file)
    placement_dir = tmp_path / 'placement'
    placement_dir.mkdir()
    sim = sim_run.Simulation(conf, cloud, str(placement_dir), durable=False)
    sim.start()
    try:
        runner = replay.Replay(sim, load, 'test')
        result = runner.run()
        api = sim_cloud.placement_adapter(sim.placement.endpoint)
        held = {}
        for rp in api.get('/resource_providers').json()[
                'resource_providers']:
            allocations = api.get('/resource_providers/%s/allocations'
                                  % rp['uuid']).json()['allocations']
            for consumer in allocations:
                held[consumer] = rp['name']
        usages = sim_cloud.usages(sim.placement.endpoint)
    finally:
        sim.stop()
    return runner, result, held, usages


def test_trace_with_deletes_leaves_exactly_the_live_instances(conf,
                                                              tmp_path):
    runner, result, held, usages = _replay(
        conf, tmp_path, _write(tmp_path, 'trace.csv', TRACE))

    assert all(r.placed for r in result.requests), [
        r.reason for r in result.refused]
    # a and c were deleted; b (resized), d (2) and e live on.
    alive = {i.uuid: i.host for v in runner.alive.values() for i in v}
    assert sorted(runner.alive) == ['b', 'd', 'e']
    assert len(alive) == 4 == result.alive
    # Placement holds the allocations of exactly those, where the
    # simulator put them, and nothing of the deleted ones or the resize's
    # migration.
    assert held == alive
    # The ledger the samples come from agrees with Placement's usages.
    for root in runner.ledger.roots:
        name = runner.ledger.names[root]
        assert dict(+runner.ledger.used[root]) == {
            rc: n for rc, n in usages[name].items() if n}
    # b was resized to small: 1 VCPU now, on a host other than before.
    resize = [r for r in result.requests if r.kind == 'resize']
    assert len(resize) == 1 and resize[0].flavor == 'small'
    assert sum(u.get('VCPU', 0) for u in usages.values()) == 1 + 8 + 1
    # The anti-affinity group of c was kept apart while it lived.
    assert result.samples[-1].instances == 4


def test_scenario_ledger_matches_placement_after_departures_and_resizes(
        conf, tmp_path):
    runner, result, held, usages = _replay(
        conf, tmp_path, _write(tmp_path, 'scenario.yaml', SCENARIO))

    kinds = collections.Counter(r.kind for r in result.requests)
    assert kinds['create'] > 50 and kinds['resize'] > 0
    alive = {i.uuid: i.host for v in runner.alive.values() for i in v}
    assert held == alive
    for root in runner.ledger.roots:
        name = runner.ledger.names[root]
        assert dict(+runner.ledger.used[root]) == {
            rc: n for rc, n in usages[name].items() if n}
    assert result.timing['events'] > len(result.requests)
    assert result.timing['simulator_s'] < result.timing['wall_s']


def _specs(tmp_path, configs, scenario=SCENARIO):
    cloud = _write(tmp_path, 'cloud.yaml', CLOUD)
    scenario_file = _write(tmp_path, 'scenario.yaml', scenario)
    out = tmp_path / 'out'
    out.mkdir(exist_ok=True)
    specs = []
    for name, text in configs:
        specs.append(compare.RunSpec(
            name=name, config_files=[_write(tmp_path, name + '.conf', text)],
            cloud_file=cloud, workload_file=scenario_file, seed=None,
            workdir=str(out), hash_seed=7))
    return specs


def _outcome(result):
    return ([(r.t, r.kind, r.flavor, r.placed, r.cause)
             for r in result.requests],
            [(s.t, s.used, s.hosts_in_use, s.fits) for s in result.samples],
            result.instances_per_host)


def test_a_scenario_replays_to_the_same_outcome_twice(tmp_path):
    first, second = compare.run_all(
        _specs(tmp_path, [('one', SPREAD), ('two', SPREAD)]), jobs=2)

    assert _outcome(first) == _outcome(second)
    assert len(first.requests) > 50


LIGHT = '''
seed: 3
duration: 6h
sample_every: 30m
streams:
  - name: light
    rate: 6/h
    flavors: {small: 3, large: 1}
    lifetime: {distribution: exponential, mean: 2h}
'''


def test_pack_leaves_more_empty_hosts_than_spread_and_the_report_says_so(
        tmp_path):
    spread, pack = compare.run_all(
        _specs(tmp_path, [('spread', SPREAD), ('pack', PACK)],
               scenario=LIGHT), jobs=2)

    assert pack.samples[-1].hosts_empty > spread.samples[-1].hosts_empty
    mean_empty = {
        r.name: sum(s.hosts_empty for s in r.samples) / len(r.samples)
        for r in (spread, pack)}
    assert mean_empty['pack'] > mean_empty['spread']
    path = report.write_html([spread, pack], str(tmp_path / 'report.html'))
    text = report.summary([spread, pack], path)
    assert 'pack leaves the most empty hosts at the end: %d (spread %d)' % (
        pack.samples[-1].hosts_empty, spread.samples[-1].hosts_empty) in text
    assert path in text


def test_a_failed_run_is_reported_not_hung(tmp_path):
    bad = SCENARIO.replace('to: large', 'to: huge')
    specs = _specs(tmp_path, [('spread', SPREAD)], scenario=bad)
    with pytest.raises(compare.RunFailed) as err:
        compare.run_all(specs)
    assert "flavor(s) 'huge', which the cloud does not have" in str(
        err.value)
    assert 'Traceback' not in str(err.value)


def test_quickstart_command_writes_the_report_and_says_where(tmp_path):
    scenario = _write(tmp_path, 'scenario.yaml', SCENARIO.replace(
        'duration: 6h', 'duration: 2h'))
    out = tmp_path / 'run'
    env = dict(os.environ, PYTHONWARNINGS='default')
    done = subprocess.run(
        [sys.executable, '-m', 'scheduler.cmd.sim', '--scenario', scenario,
         '--cloud', _write(tmp_path, 'cloud.yaml', CLOUD),
         '--output', str(out)],
        capture_output=True, text=True, env=env, timeout=300)

    assert done.returncode == 0, done.stderr
    assert 'Report: %s' % (out / 'report.html') in done.stdout
    assert (out / 'report.html').exists()
    assert {'spread.json', 'pack.json', 'spread.log',
            'pack.log'} <= set(os.listdir(out))
    # The service logs to the run directory; nothing warns on the
    # terminal, not even with Python's warnings shown.
    assert 'Warning' not in done.stderr, done.stderr
    assert 'INFO' not in done.stdout + done.stderr
