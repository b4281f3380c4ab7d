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

"""Print, as JSON, what the ``nova_db`` source reads with a config file.

Run as ``python -m tests.nova_compat.host_facts_probe CONFIG HOST...`` in a
process of its own: the service's options and Nova's cannot share one.
"""

import dataclasses
import json
import sys

from oslo_config import cfg

from scheduler import conf as scheduler_conf
from scheduler.host_facts import nova_db


def probe(config_file, host_names):
    conf = cfg.ConfigOpts()
    scheduler_conf.register_opts(conf)
    conf(['--config-file', config_file], project='scheduler',
         default_config_files=[], default_config_dirs=[])
    source = nova_db.NovaDBSource(conf)
    ok = source.refresh()
    hosts = {}
    for name in host_names:
        known = source.host(name)
        if known is None:
            hosts[name] = None
            continue
        hosts[name] = {
            'cell_uuid': known.cell_uuid,
            'instances': sorted(known.instances or ()),
            'image_properties': {
                uuid: sorted(instance.image_properties)
                for uuid, instance in (known.instances or {}).items()},
            'compute': (dataclasses.asdict(known.compute)
                        if known.compute else None)}
    return {
        'refreshed': ok,
        'aggregates': sorted(
            ({'id': a.id, 'uuid': a.uuid, 'name': a.name,
              'hosts': sorted(a.hosts), 'metadata': a.metadata}
             for a in source.aggregates().values()),
            key=lambda a: a['name']),
        'hosts': hosts,
        'refused': source.refused_hosts(host_names),
        'health': source.health().describe(),
    }


if __name__ == '__main__':
    json.dump(probe(sys.argv[1], sys.argv[2:]), sys.stdout)
