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

"""The columns of Nova's databases that the ``nova_db`` source reads.

Only the columns used are declared (Nova's schema has more; a table
definition here is not used to create anything). Names are those of Nova's
API database (``aggregates``, ``aggregate_hosts``, ``aggregate_metadata``,
``host_mappings``, ``cell_mappings``) and cell databases (``services``,
``compute_nodes``, ``instances``, ``instance_system_metadata``; soft-deleted
rows have ``deleted != 0``; ``created_at``, ``updated_at`` and
``deleted_at`` say which rows changed since a read).
"""

import sqlalchemy as sa

API = sa.MetaData()
CELL = sa.MetaData()

cell_mappings = sa.Table(
    'cell_mappings', API,
    sa.Column('id', sa.Integer), sa.Column('uuid', sa.String(36)),
    sa.Column('name', sa.String(255)),
    sa.Column('database_connection', sa.Text),
    sa.Column('disabled', sa.Boolean))

host_mappings = sa.Table(
    'host_mappings', API,
    sa.Column('cell_id', sa.Integer), sa.Column('host', sa.String(255)))

aggregates = sa.Table(
    'aggregates', API,
    sa.Column('id', sa.Integer), sa.Column('uuid', sa.String(36)),
    sa.Column('name', sa.String(255)))

aggregate_hosts = sa.Table(
    'aggregate_hosts', API,
    sa.Column('aggregate_id', sa.Integer), sa.Column('host', sa.String(255)))

aggregate_metadata = sa.Table(
    'aggregate_metadata', API,
    sa.Column('aggregate_id', sa.Integer), sa.Column('key', sa.String(255)),
    sa.Column('value', sa.String(255)))

services = sa.Table(
    'services', CELL,
    sa.Column('id', sa.Integer), sa.Column('host', sa.String(255)),
    sa.Column('binary', sa.String(255)), sa.Column('disabled', sa.Boolean),
    sa.Column('disabled_reason', sa.String(255)),
    sa.Column('forced_down', sa.Boolean),
    sa.Column('last_seen_up', sa.DateTime),
    sa.Column('created_at', sa.DateTime),
    sa.Column('updated_at', sa.DateTime),
    sa.Column('deleted_at', sa.DateTime),
    sa.Column('deleted', sa.Integer))

compute_nodes = sa.Table(
    'compute_nodes', CELL,
    sa.Column('uuid', sa.String(36)), sa.Column('host', sa.String(255)),
    sa.Column('hypervisor_hostname', sa.String(255)),
    sa.Column('hypervisor_type', sa.String(255)),
    sa.Column('hypervisor_version', sa.Integer),
    sa.Column('cpu_info', sa.Text), sa.Column('stats', sa.Text),
    sa.Column('metrics', sa.Text), sa.Column('pci_stats', sa.Text),
    sa.Column('numa_topology', sa.Text),
    sa.Column('supported_instances', sa.Text),
    sa.Column('host_ip', sa.String(39)),
    sa.Column('cpu_allocation_ratio', sa.Float),
    sa.Column('ram_allocation_ratio', sa.Float),
    sa.Column('created_at', sa.DateTime),
    sa.Column('updated_at', sa.DateTime),
    sa.Column('deleted_at', sa.DateTime),
    sa.Column('deleted', sa.Integer))

instances = sa.Table(
    'instances', CELL,
    sa.Column('uuid', sa.String(36)), sa.Column('host', sa.String(255)),
    sa.Column('project_id', sa.String(255)),
    sa.Column('vm_state', sa.String(255)),
    sa.Column('task_state', sa.String(255)),
    sa.Column('created_at', sa.DateTime),
    sa.Column('updated_at', sa.DateTime),
    sa.Column('deleted_at', sa.DateTime),
    sa.Column('deleted', sa.Integer))

instance_system_metadata = sa.Table(
    'instance_system_metadata', CELL,
    sa.Column('instance_uuid', sa.String(36)),
    sa.Column('key', sa.String(255)), sa.Column('value', sa.String(255)),
    sa.Column('deleted', sa.Integer))
