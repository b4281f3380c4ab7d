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

"""Routed networks: hosts of the segments of the requested networks."""

from scheduler.request_filters import base

# Network ids Nova uses for "allocate one for me" and "no network".
_SPECIAL = ('auto', 'none')


class RoutedNetworksFilter(base.RequestFilter):
    """Members of the segment aggregates of the requested networks.

    Nova asks Neutron for the segments of each requested network or port.
    This service does not read Neutron and the request carries no
    segments, so when switched on the filter refuses every request that
    names a network or a port, rather than placing it where the network
    may not reach.
    """

    option = 'query_placement_for_routed_network_aggregates'

    def apply(self, spec, query, facts):
        named = ['port %s' % net.port_id if net.port_id
                 else 'network %s' % net.network_id
                 for net in spec.requested_networks
                 if net.port_id or (net.network_id and
                                    net.network_id not in _SPECIAL)]
        if not named:
            return False
        raise self.refuse(
            'needs the routed network segments of %s from Neutron, which '
            'this scheduler does not read; unset [scheduler] '
            'query_placement_for_routed_network_aggregates'
            % ', '.join(named))
