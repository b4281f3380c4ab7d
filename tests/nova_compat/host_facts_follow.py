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

"""One ``nova_db`` source refreshed on demand, printing what it reads.

Run as ``python -m tests.nova_compat.host_facts_follow CONFIG HOST...`` in
a process of its own (the service's options and Nova's cannot share one).
It refreshes once, prints a JSON line, then refreshes again and prints
another for every line read on stdin. Each line gives, per host, what the
source has, and whether its record is the very object of the line before.
"""

import dataclasses
import itertools
import json
import sys

from oslo_config import cfg

from scheduler import conf as scheduler_conf
from scheduler.host_facts import nova_db


def describe(known):
    if known is None:
        return None
    return {
        'cell_uuid': known.cell_uuid,
        'instances': {uuid: [instance.vm_state, instance.task_state,
                             sorted(instance.image_properties)]
                      for uuid, instance in (known.instances or {}).items()},
        'compute': (dataclasses.asdict(known.compute)
                    if known.compute else None)}


def follow(config_file, host_names, lines, out):
    conf = cfg.ConfigOpts()
    scheduler_conf.register_opts(conf)
    conf(['--config-file', config_file], project='scheduler',
         default_config_files=[], default_config_dirs=[])
    source = nova_db.NovaDBSource(conf)
    before = {}
    for _ in itertools.chain([None], lines):
        ok = source.refresh()
        now = {name: source.host(name) for name in host_names}
        json.dump({
            'refreshed': ok,
            'health': source.health().describe(),
            'changed': sorted(source.take_changed()),
            'same': sorted(name for name, known in now.items()
                           if known is not None and
                           before.get(name) is known),
            'hosts': {name: describe(known) for name, known in now.items()},
        }, out)
        out.write('\n')
        out.flush()
        before = now
    source.stop()


if __name__ == '__main__':
    follow(sys.argv[1], sys.argv[2:], sys.stdin, sys.stdout)
