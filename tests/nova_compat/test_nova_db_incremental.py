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

"""nova_db reads the rows Nova's own objects change, and only those.

Nova's migrations make the databases and Nova's objects change them (an
instance created, destroyed, moved; a compute node updated and destroyed;
a service disabled) while one ``nova_db`` source keeps running in a
process of its own (``host_facts_follow``): its next read, of the changed
rows only, must find what a full read of the same databases finds.
"""

import configparser
import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
HOSTS = ('inc-a', 'inc-b', 'inc-c', 'inc-quiet')


@pytest.fixture(scope='module')
def cloud(nova, tmp_path_factory):
    from nova.db.api import api as api_db

    from tests.nova_compat import nova_db_side as side

    path = tmp_path_factory.mktemp('nova-db-incremental')
    # Nova's API database engine is configured once a process: another
    # module's may be in use already, and then holds this one's cell.
    if not api_db.context_manager._factory._started:
        side.create_api_db(str(path / 'api.db'))
    ctxt = side.admin_context()
    cell = side.create_cell(ctxt, 'cell-incremental',
                            str(path / 'cell.db'))
    nodes = {host: side.create_compute(ctxt, cell, host)[1]
             for host in HOSTS}
    instances = {host: side.create_instance(
        ctxt, cell, nodes[host], image={
            'id': 'image-1', 'properties': {'hw_disk_bus': 'scsi'}})
        for host in HOSTS}
    conf = configparser.ConfigParser()
    conf['host_facts_nova_db'] = {
        'api_connection': side.CONF.api_database.connection,
        'full_refresh_interval': '3600'}
    conf['filter_scheduler'] = {'image_props_weight_multiplier': '1.0'}
    config_file = path / 'scheduler.conf'
    with open(config_file, 'w') as f:
        conf.write(f)
    return {'config': str(config_file), 'ctxt': ctxt, 'cell': cell,
            'nodes': nodes, 'instances': instances, 'side': side}


class Follower:
    """A running nova_db source: ``read()`` refreshes it once more."""

    def __init__(self, config_file):
        self.process = subprocess.Popen(
            [sys.executable, '-m', 'tests.nova_compat.host_facts_follow',
             config_file] + list(HOSTS),
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True)
        self.first = self._line()

    def _line(self):
        line = self.process.stdout.readline()
        assert line, 'host_facts_follow ended'
        return json.loads(line)

    def read(self):
        self.process.stdin.write('\n')
        self.process.stdin.flush()
        return self._line()

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=60)


def _full_read(config_file):
    follower = Follower(config_file)
    follower.close()
    return follower.first


def test_the_next_read_finds_what_nova_changed_as_a_full_read_does(cloud):
    from nova import context as nova_context
    from nova import objects

    side, ctxt, cell = cloud['side'], cloud['ctxt'], cloud['cell']
    nodes, instances = cloud['nodes'], cloud['instances']
    follower = Follower(cloud['config'])
    try:
        first = follower.first
        assert first['refreshed'], first['health']
        assert follower.read()['same'] == sorted(HOSTS)

        new = side.create_instance(ctxt, cell, nodes['inc-a'])
        side.delete_instance(ctxt, cell, instances['inc-b'])
        with nova_context.target_cell(ctxt, cell) as cctxt:
            moved = objects.Instance.get_by_uuid(
                cctxt, instances['inc-c'].uuid)
            # As a migration ends: the destination's host and node.
            moved.host = moved.node = 'inc-b'
            moved.compute_id = nodes['inc-b'].id
            moved.save()
            node = objects.ComputeNode.get_by_uuid(cctxt,
                                                   nodes['inc-a'].uuid)
            node.stats = {'failed_builds': '2', 'num_instances': '2'}
            node.save()
            objects.ComputeNode.get_by_uuid(
                cctxt, nodes['inc-c'].uuid).destroy()
            service = objects.Service.get_by_compute_host(cctxt, 'inc-b')
            service.disabled = True
            service.disabled_reason = 'maintenance'
            service.save()

        after = follower.read()
    finally:
        follower.close()

    assert after['refreshed'], after['health']
    assert after['changed'] == ['inc-a', 'inc-b', 'inc-c']
    assert after['same'] == ['inc-quiet']
    hosts = after['hosts']
    assert sorted(hosts['inc-a']['instances']) == sorted(
        [instances['inc-a'].uuid, new.uuid])
    assert hosts['inc-a']['compute']['stats']['failed_builds'] == '2'
    assert sorted(hosts['inc-b']['instances']) == [moved.uuid]
    assert hosts['inc-b']['instances'][moved.uuid][2] == [
        ['hw_disk_bus', 'scsi']]
    assert hosts['inc-b']['compute']['service_disabled_reason'] == (
        'maintenance')
    assert hosts['inc-c']['compute'] is None
    assert hosts == _full_read(cloud['config'])['hosts']
