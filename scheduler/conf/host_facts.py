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

"""Options of the host-facts sources (``scheduler.host_facts``).

``[host_facts]`` chooses the sources and bounds how stale their data may
be; ``[host_facts_nova_db]`` and ``[host_facts_file]`` configure the
optional sources. The ``rpc`` source (Nova's fanout casts) is always on.
"""

from oslo_config import cfg


def _groups():
    # New OptGroups for every ConfigOpts (register_group copies shallowly).
    return (
        cfg.OptGroup(
            'host_facts', title='Host facts sources',
            help='Where the facts Placement does not hold (aggregate '
                 'metadata, instances, compute details, cells) come '
                 'from.'),
        cfg.OptGroup(
            'host_facts_nova_db', title='Host facts from Nova databases',
            help='Read-only access to the Nova API database and, through '
                 'its cell mappings, to the cell databases.'),
        cfg.OptGroup(
            'host_facts_file', title='Host facts from a file',
            help='An operator-maintained YAML file of aggregates and '
                 'host to cell mappings, for deployments without Nova '
                 'databases. Re-read on SIGHUP.'),
    )


host_facts_opts = [
    cfg.ListOpt(
        'sources',
        default=['nova_db'],
        item_type=cfg.types.String(choices=['nova_db', 'file']),
        help='Host-facts sources to use besides ``rpc`` (always on), by '
             'entry point name in the ``scheduler.host_facts`` namespace. '
             'Earlier sources win where two know the same fact. The '
             'default, ``nova_db``, reads Nova\'s databases as Nova\'s own '
             'scheduler does, and needs ``[host_facts_nova_db] '
             'api_connection`` (Nova\'s ``[api_database] connection``). '
             'Without it, what no source reports is unknown and the '
             'filters that need it refuse hosts: no compute service is '
             'known to be up (ComputeFilter refuses every host), and '
             'aggregates and instances are unknown until Nova\'s casts '
             'report them.'),
    cfg.IntOpt(
        'max_stale_seconds',
        default=300,
        min=0,
        max=86400,
        help='How long a failing source keeps serving its last good '
             'data. After that it fails closed: hosts it cannot vouch '
             'for are not chosen until it recovers.'),
]

nova_db_opts = [
    cfg.StrOpt(
        'api_connection',
        secret=True,
        # nova.conf, given as a --config-file, works as it is.
        deprecated_opts=[cfg.DeprecatedOpt('connection',
                                           group='api_database')],
        help='SQLAlchemy URL of the Nova API database (the value of '
             'Nova\'s ``[api_database] connection``, which is read when '
             'this is not set). The cell '
             'databases are found through its cell mappings. Used '
             'read-only: the session is opened read-only and only '
             'SELECT statements are issued.'),
    cfg.DictOpt(
        'cell_connections',
        default={},
        secret=True,
        help='SQLAlchemy URLs of cell databases by cell UUID, used '
             'instead of the ``database_connection`` of those cells\' '
             'mappings: for a scheduler host that reaches a cell database '
             'at another address than Nova\'s services do. Cells not '
             'listed use their mapping\'s URL.'),
    cfg.FloatOpt(
        'aggregates_refresh_interval',
        default=0.0,
        min=0.0,
        max=3600.0,
        help='Seconds a request may use aggregates read that long ago '
             'from the API database before it reads them again (three '
             'small SELECTs). 0, the default, reads them for every '
             'request, as Nova\'s request filters do: an aggregate changed '
             'just before a request is always seen.'),
    cfg.IntOpt(
        'refresh_interval',
        default=60,
        min=1,
        max=3600,
        help='Seconds between two reads of the Nova databases. A read '
             'fetches, from each cell database, only the compute nodes, '
             'services and instances changed since the last one (by '
             'their created_at, updated_at and deleted_at, read a few '
             'seconds back for clock skew): its work grows with the '
             'changes, not with the cloud. See full_refresh_interval.'),
    cfg.IntOpt(
        'full_refresh_interval',
        default=600,
        min=0,
        max=86400,
        help='Seconds between two full reads of a cell database (every '
             'compute node, service and instance), which catch what a '
             'read of the changed rows cannot see: rows archived or '
             'purged by nova-manage, clocks apart by more than the margin, '
             'transactions committed long after they wrote their rows. '
             'A full read keeps the records of the hosts it finds '
             'unchanged. 0 makes every read a full one.'),
    cfg.IntOpt(
        'service_down_time',
        default=60,
        deprecated_opts=[cfg.DeprecatedOpt('service_down_time',
                                           group='DEFAULT')],
        min=1,
        max=3600,
        help='Seconds since its last heartbeat after which a '
             'nova-compute service is considered down (Nova\'s '
             '``[DEFAULT] service_down_time``).'),
    cfg.BoolOpt(
        'read_instances',
        default=True,
        help='Read the instances of every compute host. Turn off when '
             'no enabled filter or weigher needs them and the rpc casts '
             'suffice.'),
]

file_opts = [
    cfg.StrOpt(
        'path',
        default='/etc/scheduler/host_facts.yaml',
        help='Path of the host facts YAML file: ``aggregates`` (list of '
             '``{name, uuid, id, hosts, metadata}``) and ``cells`` '
             '(list of ``{uuid, name, hosts}``).'),
]


def register_opts(conf):
    group, nova_db, file_group = _groups()
    for g, opts in ((group, host_facts_opts), (nova_db, nova_db_opts),
                    (file_group, file_opts)):
        conf.register_group(g)
        conf.register_opts(opts, group=g)


def list_opts():
    group, nova_db, file_group = _groups()
    return {group: host_facts_opts, nova_db: nova_db_opts,
            file_group: file_opts}
