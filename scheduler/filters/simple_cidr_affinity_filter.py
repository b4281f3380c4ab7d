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

"""SimpleCIDRAffinityFilter: hosts whose IP is in the hinted network.

As in Nova: with the ``build_near_host_ip`` hint, a host passes when its
``host_ip`` is in the network of that address and the ``cidr`` hint
(default ``/24``); without it every host passes.

Facts missing: a host without a known ``host_ip`` fails closed while the
hint is given, as does a host without compute details
(``compute_facts``). A malformed hint fails every host (Nova raises).
"""

import ipaddress

import numpy as np

from scheduler.filters import base
from scheduler.filters import compute_facts
from scheduler.filters import utils
from scheduler.host_state import columns


def _network(spec):
    address = utils.scheduler_hint(spec, 'build_near_host_ip')
    if not address:
        return None
    cidr = utils.scheduler_hint(spec, 'cidr', '/24')
    try:
        return ipaddress.ip_network('%s%s' % (address, cidr), strict=False)
    except ValueError:
        return False


def _in(network, compute):
    """Whether the host of ``compute`` (``ComputeFacts``) is in ``network``."""
    if not network or compute is None or not compute.host_ip:
        return False
    try:
        return ipaddress.ip_address(compute.host_ip) in network
    except ValueError:
        return False


class SimpleCIDRAffinityFilter(compute_facts.ComputeFactsFilter,
                               base.ColumnFilter):
    """Passes hosts in the network of ``build_near_host_ip``/``cidr``."""

    run_filter_once_per_request = True

    def filter_mask(self, host_set, spec):
        network = _network(spec)
        if network is None:
            return np.ones(len(host_set), dtype=bool)
        return np.fromiter(
            (_in(network, compute) for compute in columns.computes(host_set)),
            bool, len(host_set))
