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

"""Tables of a RequestSpec's ``numa_topology``, ``pci_requests`` and
``network_metadata`` (``scheduler.rpc.fields``).

``numa_topology`` is an InstanceNUMATopology 1.x primitive whose ``cells``
are InstanceNUMACell primitives (``cpuset``/``pcpuset`` arrive as lists);
``pci_requests`` an InstancePCIRequests primitive whose ``requests`` are
InstancePCIRequest primitives (``count``, ``spec``: a list of dicts).
Unknown fields are ignored; a wrong type raises ``InvalidRequest``.
"""

from scheduler.objects import numa_pci
from scheduler.rpc import fields
from scheduler.rpc import readers


def _cpus(value, path):
    if value is None:
        return frozenset()
    readers.sized(value, path, (list, tuple, set), 'a list of CPU ids')
    return frozenset(readers.read_int(v, '%s[%d]' % (path, i))
                     for i, v in enumerate(value))


def _pagesize(value, path):
    # Nova: a size in KiB, or -1 small, -2 large, -3 any.
    return None if value is None else readers.read_int(value, path,
                                                       minimum=-3)


def _dicts(value, path):
    if value is None:
        return []
    readers.sized(value, path, list, 'a list of dicts')
    return [readers.read_dict(item, '%s[%d]' % (path, i))
            for i, item in enumerate(value)]


CPU_SET = fields.Kind(_cpus, sorted)

# Written only by scheduler-plan (the topology Nova's API would derive,
# ``scheduler.cmd.plan_numa``), at Nova 34's versions; the simulator's
# requests carry none. PCI requests are read, never written.
NUMA_CELL = fields.NovaObject(
    'InstanceNUMACell', '1.6', numa_pci.InstanceNUMACell, [
        fields.Field('id', fields.integer(0)),
        fields.Field('cpuset', CPU_SET),
        fields.Field('pcpuset', CPU_SET),
        fields.Field('memory', fields.integer(0)),
        fields.Field('cpu_policy', fields.STR),
        fields.Field('cpu_thread_policy', fields.STR),
        fields.Field('pagesize', fields.Kind(_pagesize)),
    ])

# ``InstanceNUMATopology``, or None when the request has none.
NUMA_TOPOLOGY = fields.NovaObject(
    'InstanceNUMATopology', '1.3', numa_pci.InstanceNUMATopology, [
        fields.Field('cells', fields.listed(NUMA_CELL, 'cells')),
        fields.Field('emulator_threads_policy', fields.STR),
    ], empty_is_absent=True)

# ``NetworkMetadata`` of the requested ports, or None.
NETWORK_METADATA = fields.NovaObject(
    'NetworkMetadata', '1.0', numa_pci.NetworkMetadata, [
        fields.Field('physnets', fields.FROZEN_STRINGS),
        fields.Field('tunneled', fields.boolean()),
    ])

PCI_REQUEST = fields.NovaObject(
    'InstancePCIRequest', None, numa_pci.PCIRequest, [
        fields.Field('count', fields.integer(1)),
        fields.Field('spec', fields.Kind(_dicts)),
        fields.Field('alias_name', fields.STR),
        fields.Field('numa_policy', fields.STR),
        fields.Field('request_id', fields.STR),
    ])


def _requests(requests):
    return requests


# ``[PCIRequest]`` (empty when the request has none).
PCI_REQUESTS = fields.NovaObject('InstancePCIRequests', None, _requests, [
    fields.Field('requests', fields.listed(PCI_REQUEST, 'requests')),
], absent=list, empty_is_absent=True)
