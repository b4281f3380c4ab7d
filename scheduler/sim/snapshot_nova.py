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

"""Nova's aggregates and instances, for a snapshot of today's cloud.

Read once, read-only, by the ``nova_db`` host-facts source with its own
``[host_facts_nova_db]`` options; no connection URL reaches the snapshot
or an error's message.
"""

import contextlib

from scheduler.host_facts import nova_db
from scheduler.sim import snapshot

# Only what the simulator's filters read of an instance.
INSTANCE_FIELDS = ('uuid', 'project_id', 'flavor_id', 'vm_state')


def nova_db_configured(conf):
    """Whether ``conf`` says where Nova's API database is."""
    return bool(conf.host_facts_nova_db.api_connection)


@contextlib.contextmanager
def _instances_wanted(conf):
    """``conf`` reading instances, without their image properties."""
    overrides = (('read_instances', True, 'host_facts_nova_db'),
                 ('image_props_weight_multiplier', 0.0, 'filter_scheduler'))
    for name, value, group in overrides:
        conf.set_override(name, value, group=group)
    try:
        yield
    finally:
        for name, _, group in overrides:
            conf.clear_override(name, group=group)


def _aggregate_data(aggregate):
    return {'name': aggregate.name, 'uuid': aggregate.uuid,
            'hosts': sorted(aggregate.hosts),
            'metadata': dict(sorted(aggregate.metadata.items()))}


def _instance_data(instance):
    return {field: getattr(instance, field) for field in INSTANCE_FIELDS}


def _instances_by_host(hosts):
    """{service host: [instance dicts]} of the source's host records.

    The source files a compute node under its hypervisor hostname and its
    service host; instances are Nova's per service host, as aggregates.
    """
    found = {}
    for record in hosts.values():
        if record.compute is None or not record.instances:
            continue
        found[record.compute.host] = [
            _instance_data(record.instances[u])
            for u in sorted(record.instances)]
    return dict(sorted(found.items()))


def _read_nova(source):
    try:
        return source.load()
    except Exception as e:
        # Masked: a driver's message may quote the connection URL.
        raise snapshot.SnapshotError(
            "cannot read Nova's databases: %s" % source.describe_failure(e))


def take_nova(conf):
    """Nova's aggregates and instances per host, for a snapshot.

    Read once, read-only, by the ``nova_db`` host-facts source (its
    ``[host_facts_nova_db]`` options): ``{'aggregates': [{name, uuid,
    hosts, metadata}], 'instances': {host: [{uuid, project_id, flavor_id,
    vm_state}]}}``. Hosts are Nova's service hosts. The source does not
    read flavors: ``flavor_id`` is null. No connection URL is in the dict
    or in a SnapshotError's message.
    """
    source = nova_db.NovaDBSource(conf)
    try:
        with _instances_wanted(conf):
            aggregates, hosts = _read_nova(source)
    finally:
        source.stop()
    if source.failures:
        # A cell that failed is left out by the source: not a snapshot.
        raise snapshot.SnapshotError(
            "cannot read Nova's databases: %s" % source.health_detail())
    listed = sorted(aggregates.values(), key=lambda a: (a.name or '',
                                                        a.uuid or ''))
    return {'aggregates': [_aggregate_data(a) for a in listed],
            'instances': _instances_by_host(hosts)}
