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

"""The simulation end to end, in-process: Placement, fake://, the client."""

import io

from oslo_config import cfg

from scheduler.sim import cloud
from scheduler.sim import run

CLOUD = '''
host_groups:
  - name: cn
    count: 2
    inventory: {VCPU: 2, MEMORY_MB: 4096, DISK_GB: 100}
flavors:
  small: {vcpus: 1, memory_mb: 1024, root_gb: 10}
'''


def test_requests_are_placed_until_full_then_no_valid_host(tmp_path):
    path = tmp_path / 'cloud.yaml'
    path.write_text(CLOUD)
    sim_cloud = cloud.load_cloud(str(path))
    conf = cfg.CONF
    if not conf._args:
        conf([], project='scheduler', default_config_files=[],
             default_config_dirs=[])
    sim = run.Simulation(conf, sim_cloud, str(tmp_path))
    sim.start()
    try:
        outcomes = run.run(sim, ['small'], requests=5)
        usages = sim.usages()
    finally:
        sim.stop()

    placed = [o for o in outcomes if not o.reason]
    assert len(placed) == 4, [o.reason for o in outcomes]
    assert outcomes[4].reason.startswith(
        'Placement has no candidate for ')
    assert usages['cn-0001']['VCPU'] == usages['cn-0002']['VCPU'] == 2
    assert all(o.scheduler_ms > 0 for o in outcomes)

    out = io.StringIO()
    run.report(outcomes, usages, sim_cloud, stream=out)
    text = out.getvalue()
    assert 'Requests: 5  placed: 4  NoValidHost: 1' in text
    assert '1 x Placement has no candidate for ' in text
    assert 'scheduler (service)' in text


def test_progress_is_silent_off_a_terminal():
    stream = io.StringIO()
    progress = run.Progress(['requests'], stream=stream)
    progress('requests', 5, 10)
    progress.close()
    assert stream.getvalue() == ''
