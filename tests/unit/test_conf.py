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

import os
import subprocess
import sys

from oslo_config import cfg

from scheduler.conf import opts

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
SAMPLE = os.path.join(ROOT, 'etc', 'scheduler', 'scheduler.conf.sample')


def _our_opts():
    return [(group, opt) for group, group_opts in opts.list_opts()
            for opt in group_opts]


def test_every_numeric_option_of_ours_is_bounded():
    # [placement] holds keystoneauth1's own options, bounded by it.
    numeric = [
        (getattr(group, 'name', group), opt) for group, opt in _our_opts()
        if isinstance(opt, (cfg.IntOpt, cfg.FloatOpt)) and
        getattr(group, 'name', group) != 'placement']
    assert len(numeric) >= 8
    assert [(g, o.dest) for g, o in numeric
            if o.type.min is None or o.type.max is None] == []


def test_nova_exchange_and_option_names_are_the_defaults():
    conf = cfg.ConfigOpts()
    from scheduler.conf import default
    from scheduler.conf import filter_scheduler
    from scheduler.conf import placement
    from scheduler.conf import scheduler
    for module in (default, scheduler, filter_scheduler, placement):
        module.register_opts(conf)
    conf([], project='scheduler', default_config_files=[],
         default_config_dirs=[])
    assert conf.scheduler.max_attempts == 3
    assert conf.scheduler.max_placement_results == 1000
    assert conf.filter_scheduler.host_subset_size == 1
    assert conf.placement.service_type == 'placement'
    assert conf.default_availability_zone == 'nova'


def test_host_takes_what_novas_host_option_takes(tmp_path):
    # Nova's [DEFAULT] host is a HostDomainOpt: compute_1 is a valid name.
    from scheduler.conf import default
    path = tmp_path / 'scheduler.conf'
    path.write_text('[DEFAULT]\nhost = alt_host3\n')
    conf = cfg.ConfigOpts()
    default.register_opts(conf)
    conf([], project='scheduler', default_config_files=[str(path)],
         default_config_dirs=[])
    assert conf.host == 'alt_host3'


def test_exchange_default_is_nova_where_nova_publishes():
    import oslo_messaging
    conf = cfg.CONF
    oslo_messaging.get_rpc_transport(conf, url='fake://')
    assert conf.control_exchange == 'nova'


def test_committed_sample_config_is_what_the_generator_writes(tmp_path):
    out = tmp_path / 'sample.conf'
    generator = os.path.join(os.path.dirname(sys.executable),
                             'oslo-config-generator')
    subprocess.run(
        [generator, '--config-file',
         os.path.join(ROOT, 'etc', 'scheduler',
                      'scheduler-config-generator.conf'),
         '--output-file', str(out)],
        check=True, capture_output=True, cwd=ROOT)
    with open(SAMPLE) as f:
        committed = f.read()
    assert out.read_text() == committed, (
        'etc/scheduler/scheduler.conf.sample is stale: run tox -e genconfig')
