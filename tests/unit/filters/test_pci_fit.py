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

"""PCI pools against requests, one behaviour of Nova's a test.

``tests/nova_compat/test_pci_differential.py`` checks the same code
against Nova's own on random pools and requests; these name the rules.
"""

from scheduler.filters import numa_fit
from scheduler.filters import pci_fit
from scheduler.objects import numa_pci


def _request(count=1, numa_policy=None, **spec):
    return numa_pci.PCIRequest(count=count, spec=[spec],
                               numa_policy=numa_policy)


def _pool(count, numa_node=0, **tags):
    return {'vendor_id': '8086', 'product_id': '1520', 'count': count,
            'numa_node': numa_node, 'tags': tags}


def test_tags_of_pools_read_from_nova_are_keys_of_the_pool():
    pools = pci_fit.pools_of([_pool(2, physical_network='phys1')])
    assert pools[0]['physical_network'] == 'phys1'
    assert pci_fit.supports(pools, [_request(2, physical_network='PHYS1')])


def test_pfs_vdpa_and_remote_managed_devices_only_when_asked_for():
    for tags in ({'dev_type': 'type-PF'}, {'dev_type': 'vdpa'},
                 {'remote_managed': 'true'}):
        pools = pci_fit.pools_of([_pool(1, **tags)])
        assert not pci_fit.supports(pools, [_request(vendor_id='8086')])
        assert pci_fit.supports(pools, [_request(vendor_id='8086', **tags)])


def test_devices_taken_by_one_request_are_gone_for_the_next():
    pools = pci_fit.pools_of([_pool(3)])
    assert pci_fit.supports(pools, [_request(2), _request(1)])
    assert not pci_fit.supports(pools, [_request(2), _request(2)])
    assert pci_fit.apply(pools, [_request(2)])
    assert pools[0]['count'] == 1


def _cells(sockets=(0, 1)):
    return [numa_fit.HostCell(id=i, cpuset=set(), pcpuset=set(), memory=0,
                              socket=socket)
            for i, socket in enumerate(sockets)]


def test_numa_policies_decide_which_pools_may_serve():
    pools = pci_fit.pools_of([_pool(1, numa_node=1),
                              _pool(1, numa_node=None)])
    on_cell_0 = [0]
    for policy, fits in (('required', False), ('legacy', True),
                         (None, True), ('preferred', True),
                         ('socket', False)):
        assert pci_fit.supports(pools, [_request(numa_policy=policy)],
                                on_cell_0, _cells()) is fits, policy
    # Two devices: legacy takes local or unknown ones only.
    assert not pci_fit.supports(pools, [_request(2)], on_cell_0, _cells())
    assert pci_fit.supports(pools, [_request(2, 'preferred')], on_cell_0,
                            _cells())


def test_socket_policy_takes_devices_of_cells_on_the_same_socket():
    pools = pci_fit.pools_of([_pool(1, numa_node=1)])
    request = [_request(numa_policy='socket')]
    assert pci_fit.supports(pools, request, [0], _cells((0, 0)))
    assert not pci_fit.supports(pools, request, [0], _cells((0, 1)))
