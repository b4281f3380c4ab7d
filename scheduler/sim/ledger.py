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

"""The simulator's book of what Placement holds, to measure the cloud.

Asking Placement for every provider's usages at every sample would cost
more than the scheduling it measures. The ledger reads the providers,
their inventories and usages once, then follows the allocations the
replay makes and removes (the claims the scheduler answers with, the
deletes the simulator sends), and measures from that: utilisation,
hosts in use, and how many more of each flavor fit, by Placement's
arithmetic (free = (total - reserved) * allocation_ratio - used, within
min_unit, max_unit and step_size), one flavor at a time, anywhere in a
host's provider tree. A test checks it against Placement's own usages.
"""

import collections
import math

from scheduler.objects import request_spec
from scheduler.placement import translation
from scheduler.sim import results

HOST_CLASSES = {'VCPU', 'PCPU', 'MEMORY_MB'}


def flavor_resources(flavor):
    """``{resource class: amount}`` the service asks Placement for."""
    query = translation.build_query(
        request_spec.RequestSpec(flavor=flavor), limit=1)
    total = collections.Counter()
    for group in query.groups.values():
        total.update(group.resources)
    return dict(total)


class Ledger:
    """Inventories and usages per provider; roots stand for hosts."""

    def __init__(self, api):
        self.inventory = {}
        self.used = {}
        self.root_of = {}
        self.names = {}
        providers = api.get('/resource_providers').json()[
            'resource_providers']
        for rp in providers:
            uuid = rp['uuid']
            self.names[uuid] = rp['name']
            self.root_of[uuid] = rp['root_provider_uuid']
            self.inventory[uuid] = api.get(
                '/resource_providers/%s/inventories' % uuid).json()[
                    'inventories']
            self.used[uuid] = collections.Counter(api.get(
                '/resource_providers/%s/usages' % uuid).json()['usages'])
        # Hosts are the trees with a compute node's resources: a sharing
        # provider is a root of its own, not a host.
        self.roots = sorted(
            {self.root_of[rp] for rp, inv in self.inventory.items()
             if HOST_CLASSES & set(inv)}, key=lambda r: self.names[r])
        self.consumers = {}
        self.trees = collections.defaultdict(list)
        for rp, root in self.root_of.items():
            self.trees[root].append(rp)

    def host_name(self, provider_uuid):
        return self.names[self.root_of[provider_uuid]]

    def add(self, consumer, allocations):
        """``allocations``: ``{provider: {resource class: amount}}``."""
        self.remove(consumer)
        self.consumers[consumer] = allocations
        for rp, resources in allocations.items():
            self.used[rp].update(resources)

    def remove(self, consumer):
        """The consumer's allocations, now gone from the book (or {})."""
        allocations = self.consumers.pop(consumer, {})
        for rp, resources in allocations.items():
            self.used[rp].subtract(resources)
        return allocations

    def capacity(self, rp, rc):
        inv = self.inventory[rp][rc]
        return int((inv['total'] - inv['reserved']) * inv['allocation_ratio'])

    def _room(self, rp, rc, amount):
        """How many allocations of ``amount`` of ``rc`` fit on ``rp``."""
        inv = self.inventory[rp].get(rc)
        if inv is None or not amount:
            return 0
        if amount < inv['min_unit'] or amount > inv['max_unit'] or (
                amount % inv['step_size']):
            return 0
        free = self.capacity(rp, rc) - self.used[rp][rc]
        return max(free, 0) // amount

    def _fits_in_tree(self, providers, resources):
        fits = math.inf
        for rc, amount in resources.items():
            if not amount:
                continue
            fits = min(fits, sum(self._room(rp, rc, amount)
                                 for rp in providers))
        return 0 if fits is math.inf else fits

    def sample(self, t, flavors, instances):
        """A ``results.Sample`` of the book now.

        ``flavors``: ``{name: {resource class: amount}}`` of the workload.
        """
        used, capacity = collections.Counter(), collections.Counter()
        for rp, inventory in self.inventory.items():
            for rc in inventory:
                capacity[rc] += self.capacity(rp, rc)
                used[rc] += self.used[rp][rc]
        fits = dict.fromkeys(flavors, 0)
        stranded = collections.Counter()
        in_use = 0
        for root in self.roots:
            providers = self.trees[root]
            if any(v > 0 for rp in providers for v in self.used[rp].values()):
                in_use += 1
            tree_fits = {name: self._fits_in_tree(providers, resources)
                         for name, resources in flavors.items()}
            for name, n in tree_fits.items():
                fits[name] += n
            if flavors and not any(tree_fits.values()):
                for rp in providers:
                    for rc in self.inventory[rp]:
                        stranded[rc] += max(
                            self.capacity(rp, rc) - self.used[rp][rc], 0)
        return results.Sample(
            t=t, used=dict(used), capacity=dict(capacity),
            hosts_in_use=in_use, hosts_empty=len(self.roots) - in_use,
            instances=instances, fits=fits, stranded=dict(stranded))

    def instances_per_host(self, hosts_of_instances):
        """``{host name: instances}`` for every host, empty ones too."""
        counts = dict.fromkeys((self.names[r] for r in self.roots), 0)
        for host in hosts_of_instances:
            counts[host] = counts.get(host, 0) + 1
        return counts
