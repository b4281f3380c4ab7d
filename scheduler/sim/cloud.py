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
    flavors:
      small: {vcpus: 1, memory_mb: 2048, root_gb: 20}

Providers are written with the plain Placement REST API, as a nova-compute
would, so the scheduler under test reads what a real deployment has.
"""

import dataclasses
import uuid

from keystoneauth1 import adapter
from keystoneauth1 import session
from keystoneauth1 import token_endpoint
import yaml

from scheduler.objects import request_spec

MICROVERSION = '1.36'
STANDARD_TRAIT_PREFIXES = ('CUSTOM_',)


class CloudError(Exception):
    pass


@dataclasses.dataclass
class Host:
    name: str
    uuid: str
    inventory: dict
    traits: list


@dataclasses.dataclass
class Cloud:
    hosts: list
    flavors: dict


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
    return name, count, inventory


def load_cloud(path):
    """Read a cloud description; raise CloudError naming what is wrong."""
    try:
        with open(path) as f:
            data = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        raise CloudError('cannot read cloud file %s: %s' % (path, e))
    if not isinstance(data, dict) or not data.get('host_groups'):
        raise CloudError('%s: a cloud needs a non-empty host_groups list'
                         % path)
    hosts = []
    for index, group in enumerate(data['host_groups']):
        name, count, inventory = _host_group(group, index)
        for n in range(1, count + 1):
            host_name = '%s-%04d' % (name, n)
            hosts.append(Host(
                name=host_name,
                uuid=str(uuid.uuid5(uuid.NAMESPACE_DNS, host_name)),
                inventory=_inventory(group, inventory),
                traits=list(group.get('traits', []))))
    flavors = {}
    for name, values in (data.get('flavors') or {}).items():
        try:
            flavors[name] = request_spec.Flavor(name=name, **values)
        except TypeError as e:
            raise CloudError('flavor %r is malformed: %s' % (name, e))
    return Cloud(hosts=hosts, flavors=flavors)


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
    """Create one root resource provider per host, as nova-compute does."""
    api = placement_adapter(endpoint, token)
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
