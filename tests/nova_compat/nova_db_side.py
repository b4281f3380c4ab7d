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

"""Nova's databases on sqlite, made by Nova's migrations and objects.

The API database and two cell databases get Nova's own schema from
``nova.db.migration.db_sync``; every row is written by Nova's objects
(CellMapping, HostMapping, Aggregate, Service, ComputeNode, Instance) in
a context targeted at its cell, as nova-manage, nova-api and nova-compute
write them. Imports Nova: the nova-compat environment only.
"""

import datetime
import json
import uuid

from nova import context as nova_context
from nova.db.api import api as api_db
from nova.db import migration
from nova import objects
from nova import utils as nova_utils
from oslo_utils import timeutils

import nova.conf

CONF = nova.conf.CONF
CELL0_UUID = objects.CellMapping.CELL0_UUID


def sqlite_url(path):
    return 'sqlite:///%s' % path


def create_api_db(path):
    """Nova's API schema in ``path``, and its engine configured."""
    CONF.set_override('connection', sqlite_url(path), group='api_database')
    api_db.configure(CONF)
    migration.db_sync(database='api')


def create_cell(ctxt, name, path, cell_uuid=None):
    """A cell mapping and its database with Nova's main schema."""
    cell = objects.CellMapping(
        ctxt, uuid=cell_uuid or str(uuid.uuid4()), name=name,
        transport_url='none:///', database_connection=sqlite_url(path))
    cell.create()
    with nova_context.target_cell(ctxt, cell) as cctxt:
        migration.db_sync(database='main', context=cctxt)
    return cell


def numa_topology(physnets=()):
    """One host NUMA cell of 8 CPUs and 16 GiB, near ``physnets``."""
    return objects.NUMATopology(cells=[objects.NUMACell(
        id=0, cpuset=set(range(8)), pcpuset=set(), memory=16384,
        cpu_usage=0, memory_usage=0, pinned_cpus=set(),
        siblings=[{n} for n in range(8)], mempages=[
            objects.NUMAPagesTopology(size_kb=4, total=4194304, used=0)],
        network_metadata=objects.NetworkMetadata(
            physnets=set(physnets), tunneled=False))])


def create_compute(ctxt, cell, host, disabled_reason=None,
                   last_seen_up=None, forced_down=False, numa=None):
    """A nova-compute service, its compute node and host mapping."""
    with nova_context.target_cell(ctxt, cell) as cctxt:
        service = objects.Service(
            cctxt, host=host, binary='nova-compute', topic='compute',
            report_count=1, disabled=disabled_reason is not None,
            disabled_reason=disabled_reason, forced_down=forced_down,
            last_seen_up=last_seen_up or timeutils.utcnow())
        service.create()
        node = objects.ComputeNode(
            cctxt, uuid=str(uuid.uuid5(uuid.NAMESPACE_DNS, host)),
            service_id=service.id, host=host, hypervisor_hostname=host,
            vcpus=8, memory_mb=16384, local_gb=200, vcpus_used=0,
            memory_mb_used=0, local_gb_used=0, hypervisor_type='QEMU',
            hypervisor_version=8002000,
            cpu_info=json.dumps({'arch': 'x86_64', 'vendor': 'Intel'}),
            free_ram_mb=16384, free_disk_gb=200, current_workload=0,
            running_vms=0, disk_available_least=200, host_ip='192.0.2.10',
            stats={'failed_builds': '0', 'num_instances': '0'},
            supported_hv_specs=[objects.HVSpec(
                arch='x86_64', hv_type='kvm', vm_mode='hvm')],
            ram_allocation_ratio=1.0, cpu_allocation_ratio=4.0,
            disk_allocation_ratio=1.0,
            numa_topology=None if numa is None else numa._to_json())
        node.create()
    objects.HostMapping(ctxt, host=host, cell_mapping=cell).create()
    return service, node


def create_instance(ctxt, cell, node, project_id='project-a', image=None):
    """An active instance on a compute node (a ComputeNode object).

    ``image`` (a dict as Glance returns it) goes to the system metadata as
    Nova's API writes it there.
    """
    with nova_context.target_cell(ctxt, cell) as cctxt:
        instance = objects.Instance(
            cctxt, uuid=str(uuid.uuid4()), host=node.host,
            node=node.hypervisor_hostname, compute_id=node.id,
            project_id=project_id, user_id='user-a', vm_state='active',
            task_state=None,
            system_metadata=nova_utils.get_system_metadata_from_image(
                image or {}))
        instance.create()
    return instance


def delete_instance(ctxt, cell, instance):
    with nova_context.target_cell(ctxt, cell) as cctxt:
        objects.Instance.get_by_uuid(cctxt, instance.uuid).destroy()


def create_aggregate(ctxt, name, hosts, metadata):
    aggregate = objects.Aggregate(ctxt, name=name, metadata=metadata)
    aggregate.create()
    for host in hosts:
        aggregate.add_host(host)
    return aggregate


def long_ago(seconds):
    return timeutils.utcnow() - datetime.timedelta(seconds=seconds)


def admin_context():
    return nova_context.get_admin_context()
