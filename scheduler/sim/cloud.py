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

"""A synthetic cloud: compute-node resource providers made in Placement.

The cloud is described by a small YAML file (``etc/scheduler/sim-cloud.yaml``
is the default)::

    host_groups:
      - name: compute        # hosts are compute-0001, compute-0002, ...
        count: 20
        inventory: {VCPU: 16, MEMORY_MB: 65536, DISK_GB: 1000}
        allocation_ratio: {VCPU: 4.0}
        reserved: {MEMORY_MB: 512}
        traits: [COMPUTE_NODE, HW_CPU_X86_AVX2]
        availability_zone: az1   # optional: the hosts' zone
    flavors:
      small: {vcpus: 1, memory_mb: 2048, root_gb: 20}

Instead of (or besides) ``host_groups``, a cloud file may hold the
``providers`` of a snapshot of a live Placement (``scheduler-sim
snapshot``, see ``scheduler.sim.snapshot``): nested providers, sharing
providers, aggregates and usages, loaded as they were. The snapshot's
optional ``aggregates`` (Nova's host aggregates: ``{name, uuid, hosts,
metadata}``) and ``instances`` (``{host: [{uuid, project_id, flavor_id,
vm_state}]}``) are what the simulator casts to the scheduler at start, as
Nova's API and computes would.

Providers are written with the plain Placement REST API, as a nova-compute
would, so the scheduler under test reads what a real deployment has.
"""

import collections
import dataclasses
import uuid as uuid_lib

from keystoneauth1 import adapter
from keystoneauth1 import session
from keystoneauth1 import token_endpoint
import yaml

from scheduler.objects import request_spec
from scheduler.sim import cloud_facts
from scheduler.sim import snapshot

MICROVERSION = '1.36'
STANDARD_TRAIT_PREFIXES = ('CUSTOM_',)
# A snapshot's root providers with one of these in their tree are hosts.
COMPUTE_CLASSES = ('VCPU', 'MEMORY_MB')
CloudError = cloud_facts.CloudError


@dataclasses.dataclass
class Host:
    name: str
    uuid: str
    inventory: dict
    traits: list
    # Made by snapshot.load() with the rest of its snapshot.
    from_snapshot: bool = False
    # Its host group's availability_zone, if any.
    availability_zone: str | None = None


@dataclasses.dataclass
class Cloud:
    hosts: list
    flavors: dict
    # The snapshot of the cloud file's ``providers``, if it has some.
    snapshot: dict | None = None
    # Nova's host aggregates: AggregateFacts.
    aggregates: list = dataclasses.field(default_factory=list)
    # The instances already on hosts: {host name: [InstanceFacts]}.
    instances: dict = dataclasses.field(default_factory=dict)


def _host_group(group, index):
    try:
        name = str(group['name'])
        count = int(group.get('count', 1))
        inventory = {str(k): int(v) for k, v in group['inventory'].items()}
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise CloudError('host group #%d is malformed: %s' % (index, e))
    if count < 1 or any(v < 0 for v in inventory.values()):
        raise CloudError('host group %r: count and inventory amounts '
                         'must be positive' % name)
    zone = group.get('availability_zone')
    if zone is not None and not cloud_facts.is_name(zone):
        raise CloudError('host group %r: availability_zone must be a '
                         'non-empty string, not %r' % (name, zone))
    return name, count, inventory


def _group_hosts(groups):
    hosts = []
    for index, group in enumerate(groups):
        name, count, inventory = _host_group(group, index)
        for n in range(1, count + 1):
            host_name = '%s-%04d' % (name, n)
            hosts.append(Host(
                name=host_name,
                uuid=str(uuid_lib.uuid5(uuid_lib.NAMESPACE_DNS, host_name)),
                inventory=_inventory(group, inventory),
                traits=list(group.get('traits', [])),
                availability_zone=group.get('availability_zone')))
    return hosts


def _tree_inventory(tree):
    """The inventory of a provider tree, totals summed by resource class."""
    inventory = {}
    for provider in tree:
        for rc, record in provider.get('inventory', {}).items():
            if rc not in inventory:
                inventory[rc] = dict(record)
                continue
            summed = inventory[rc]
            for field in ('total', 'reserved'):
                summed[field] = summed.get(field, 0) + record.get(field, 0)
            summed['max_unit'] = max(summed.get('max_unit', 0),
                                     record.get('max_unit', 0))
    return inventory


def snapshot_hosts(providers):
    """A Host per compute node of a snapshot: its roots with VCPU or RAM.

    :param providers: the providers of a snapshot, parents first.
    The inventory of a Host is that of its whole tree (NUMA nodes
    included), summed; its traits are the root's.
    """
    root_of = {}
    trees = collections.defaultdict(list)
    for provider in providers:
        parent = provider.get('parent')
        root = root_of[parent] if parent else provider
        root_of[provider['uuid']] = root
        trees[root['uuid']].append(provider)
    hosts = []
    for tree in trees.values():
        root, inventory = tree[0], _tree_inventory(tree)
        if any(rc in inventory for rc in COMPUTE_CLASSES):
            hosts.append(Host(name=root['name'], uuid=root['uuid'],
                              inventory=inventory,
                              traits=list(root.get('traits', [])),
                              from_snapshot=True))
    return hosts


def _snapshot(data, path):
    try:
        providers = snapshot.validate(data)
    except snapshot.SnapshotError as e:
        raise CloudError('%s: %s' % (path, e))
    return {'providers': providers}


def _check_unique_names(names, path):
    counts = collections.Counter(names)
    twice = sorted(name for name, count in counts.items() if count > 1)
    if twice:
        raise CloudError('%s: provider name(s) used twice: %s'
                         % (path, ', '.join(twice)))


def load_cloud(path):
    """Read a cloud description; raise CloudError naming what is wrong."""
    try:
        with open(path) as f:
            data = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        raise CloudError('cannot read cloud file %s: %s' % (path, e))
    if not isinstance(data, dict) or not (data.get('host_groups') or
                                          data.get('providers')):
        raise CloudError('%s: a cloud needs a non-empty host_groups list '
                         'or the providers of a snapshot' % path)
    hosts = _group_hosts(data.get('host_groups') or [])
    names = [h.name for h in hosts]
    cloud_snapshot = None
    if data.get('providers'):
        cloud_snapshot = _snapshot(data, path)
        names += [p['name'] for p in cloud_snapshot['providers']]
        hosts += snapshot_hosts(cloud_snapshot['providers'])
    _check_unique_names(names, path)
    flavors = {}
    for name, values in (data.get('flavors') or {}).items():
        try:
            flavors[name] = request_spec.Flavor(name=name, **values)
        except TypeError as e:
            raise CloudError('flavor %r is malformed: %s' % (name, e))
    return Cloud(hosts=hosts, flavors=flavors, snapshot=cloud_snapshot,
                 aggregates=cloud_facts.aggregates(data.get('aggregates'),
                                                   path),
                 instances=cloud_facts.instances(data.get('instances'), path))


def _inventory(group, totals):
    ratios = group.get('allocation_ratio') or {}
    reserved = group.get('reserved') or {}
    return {
        rc: {'total': total,
             'reserved': int(reserved.get(rc, 0)),
             'allocation_ratio': float(ratios.get(rc, 1.0)),
             'max_unit': total}
        for rc, total in totals.items()
    }


# noauth2's admin token of the test and simulator Placement (127.0.0.1,
# sqlite): not a credential.
ADMIN_TOKEN = 'admin'  # nosec B105


def placement_adapter(endpoint, token=ADMIN_TOKEN):
    """A keystoneauth1 Adapter that talks to Placement as an admin."""
    auth = token_endpoint.Token(endpoint, token)
    return adapter.Adapter(
        session.Session(auth=auth), service_type='placement',
        default_microversion=MICROVERSION, raise_exc=True)


def create_hosts(endpoint, hosts, token=ADMIN_TOKEN):
    """Create one root resource provider per host, as nova-compute does.

    Hosts of a snapshot (``from_snapshot``) are skipped: ``populate()``
    loads them, with the rest of their snapshot.
    """
    api = placement_adapter(endpoint, token)
    hosts = [h for h in hosts if not h.from_snapshot]
    custom = {t for h in hosts for t in h.traits
              if t.startswith(STANDARD_TRAIT_PREFIXES)}
    for trait in sorted(custom):
        api.put('/traits/%s' % trait)
    for host in hosts:
        api.post('/resource_providers',
                 json={'name': host.name, 'uuid': host.uuid})
        generation = api.put(
            '/resource_providers/%s/inventories' % host.uuid,
            json={'resource_provider_generation': 0,
                  'inventories': host.inventory},
        ).json()['resource_provider_generation']
        if host.traits:
            api.put('/resource_providers/%s/traits' % host.uuid,
                    json={'resource_provider_generation': generation,
                          'traits': host.traits})


def zone_aggregate_uuid(zone):
    """The uuid of the aggregate of host groups' availability zone."""
    return str(uuid_lib.uuid5(cloud_facts.AGGREGATE_NAMESPACE,
                              'zone/%s' % zone))


def _placement_aggregates(cloud):
    """{host-group host uuid: [aggregate uuids]}, as Nova mirrors them."""
    found = {}
    for host in cloud.hosts:
        if host.from_snapshot:
            continue
        uuids = [a.uuid for a in cloud.aggregates if host.name in a.hosts]
        if host.availability_zone:
            uuids.append(zone_aggregate_uuid(host.availability_zone))
        if uuids:
            found[host.uuid] = sorted(set(uuids))
    return found


def mirror_aggregates(endpoint, cloud, token=ADMIN_TOKEN):
    """Put host-group hosts in the Placement aggregates Nova would.

    Those of their zone and of the cloud's aggregates naming them, as
    Nova's API mirrors its aggregates (the availability zone request
    filter asks Placement for their members).
    """
    api = placement_adapter(endpoint, token)
    for rp_uuid, uuids in _placement_aggregates(cloud).items():
        base = '/resource_providers/%s' % rp_uuid
        generation = api.get(base).json()['generation']
        api.put(base + '/aggregates', json={
            'resource_provider_generation': generation,
            'aggregates': uuids})


def populate(endpoint, cloud, token=ADMIN_TOKEN):
    """Write ``cloud`` into an empty Placement: host groups and snapshot."""
    create_hosts(endpoint, cloud.hosts, token)
    mirror_aggregates(endpoint, cloud, token)
    if cloud.snapshot:
        try:
            snapshot.load(placement_adapter(endpoint, token), cloud.snapshot)
        except snapshot.SnapshotError as e:
            raise CloudError('cannot load the snapshot: %s' % e)


def usages(endpoint, token=ADMIN_TOKEN):
    """Usages per provider name: {name: {resource_class: used}}."""
    api = placement_adapter(endpoint, token)
    providers = api.get('/resource_providers').json()['resource_providers']
    result = {}
    for rp in providers:
        result[rp['name']] = api.get(
            '/resource_providers/%s/usages' % rp['uuid']).json()['usages']
    return result


def consumer_allocations(endpoint, consumer_uuid, token=ADMIN_TOKEN):
    """The allocations Placement holds for one consumer (may be {})."""
    api = placement_adapter(endpoint, token)
    return api.get('/allocations/%s' % consumer_uuid).json()['allocations']
