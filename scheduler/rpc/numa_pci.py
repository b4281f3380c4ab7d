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

"""Readers of a RequestSpec's ``numa_topology`` and ``pci_requests``.

``numa_topology`` is an InstanceNUMATopology 1.x primitive whose ``cells``
are InstanceNUMACell primitives (``cpuset``/``pcpuset`` arrive as lists);
``pci_requests`` an InstancePCIRequests primitive whose ``requests`` are
InstancePCIRequest primitives (``count``, ``spec``: a list of dicts).
Unknown fields are ignored; a wrong type raises ``InvalidRequest``.
"""

from scheduler.objects import numa_pci
from scheduler.rpc import readers


def _cpus(value, path):
    if value is None:
        return frozenset()
    readers.sized(value, path, (list, tuple, set), 'a list of CPU ids')
    return frozenset(readers.read_int(v, '%s[%d]' % (path, i))
                     for i, v in enumerate(value))


def _cell(value, path):
    data = readers.read_object(value, path, 'InstanceNUMACell')
    if data is None:
        return None
    return numa_pci.InstanceNUMACell(
        id=readers.read_int(data.get('id'), path + '.id', 0),
        cpuset=_cpus(data.get('cpuset'), path + '.cpuset'),
        pcpuset=_cpus(data.get('pcpuset'), path + '.pcpuset'),
        memory=readers.read_int(data.get('memory'), path + '.memory', 0),
        cpu_policy=readers.read_str(data.get('cpu_policy'),
                                    path + '.cpu_policy'),
        cpu_thread_policy=readers.read_str(
            data.get('cpu_thread_policy'), path + '.cpu_thread_policy'),
        # Nova: a size in KiB, or -1 small, -2 large, -3 any.
        pagesize=(None if data.get('pagesize') is None else
                  readers.read_int(data['pagesize'], path + '.pagesize',
                                   minimum=-3)))


def numa_topology_from_wire(value, path):
    """``InstanceNUMATopology``, or None when the request has none."""
    data = readers.read_object(value, path, 'InstanceNUMATopology')
    if not data:
        return None
    cells = data.get('cells') or []
    readers.sized(cells, path + '.cells', list, 'a list of cells')
    cells = [_cell(c, '%s.cells[%d]' % (path, i))
             for i, c in enumerate(cells)]
    return numa_pci.InstanceNUMATopology(
        cells=[c for c in cells if c is not None],
        emulator_threads_policy=readers.read_str(
            data.get('emulator_threads_policy'),
            path + '.emulator_threads_policy'))


def network_metadata_from_wire(value, path):
    """``NetworkMetadata`` of the requested ports, or None."""
    data = readers.read_object(value, path, 'NetworkMetadata')
    if data is None:
        return None
    return numa_pci.NetworkMetadata(
        physnets=frozenset(readers.read_strings(data.get('physnets'),
                                                path + '.physnets')),
        tunneled=readers.read_bool(data.get('tunneled'), path + '.tunneled'))


def _pci_request(value, path):
    data = readers.read_object(value, path, 'InstancePCIRequest')
    if data is None:
        return None
    specs = data.get('spec') or []
    readers.sized(specs, path + '.spec', list, 'a list of dicts')
    return numa_pci.PCIRequest(
        count=readers.read_int(data.get('count'), path + '.count', 1),
        spec=[readers.read_dict(s, '%s.spec[%d]' % (path, i))
              for i, s in enumerate(specs)],
        alias_name=readers.read_str(data.get('alias_name'),
                                    path + '.alias_name'),
        numa_policy=readers.read_str(data.get('numa_policy'),
                                     path + '.numa_policy'),
        request_id=readers.read_str(data.get('request_id'),
                                    path + '.request_id'))


def pci_requests_from_wire(value, path):
    """``[PCIRequest]`` (empty when the request has none)."""
    data = readers.read_object(value, path, 'InstancePCIRequests')
    if not data:
        return []
    requests = data.get('requests') or []
    readers.sized(requests, path + '.requests', list, 'a list of requests')
    result = (_pci_request(r, '%s.requests[%d]' % (path, i))
              for i, r in enumerate(requests))
    return [r for r in result if r is not None]
