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

"""PCIWeigher: keeps hosts with free PCI devices for those who need them.

The fewer free PCI devices a host has, the higher its raw weight: an
instance without PCI requests avoids PCI hosts, and one with PCI requests
stacks onto the hosts with the fewest free devices, leaving whole hosts
free for larger requests. Free devices count up to 99, as in Nova. In a
multi-create, the devices the instances already placed on a host took are
not free any more (Nova's host state consumes them).
"""

import numpy as np

from scheduler import host_scope
from scheduler.host_state import facts as host_facts
from scheduler.weighers import base
from scheduler.weighers import utils

MAX_DEVICES = 100


def _wanted(spec):
    """Devices one instance of ``spec`` takes."""
    return sum(request.count for request in spec.pci_requests or ())


class PCIWeigher(base.ConfiguredWeigher):
    """Raw weight: 100 - min(free PCI devices, 99)."""

    reads_facts = frozenset([host_facts.COMPUTE])
    # The host's pools and the instances placed on it.
    per_host = host_scope.STATE

    multiplier_option = 'pci_weight_multiplier'

    def weigh_columns(self, host_set, spec):
        return self.raw_weights(host_set, spec, slice(None))

    def raw_weights(self, host_set, spec, indices):
        # Only the hosts asked about: within a multi-create, those the
        # earlier instances were consumed on.
        free = np.maximum(utils.fact_columns(host_set).pci_free[indices] -
                          host_set.placed[indices] * _wanted(spec), 0)
        return (MAX_DEVICES - np.minimum(free, MAX_DEVICES - 1)).astype(
            float)
