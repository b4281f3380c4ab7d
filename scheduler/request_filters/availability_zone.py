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

"""Ask Placement for the hosts of the requested availability zone."""

from scheduler.request_filters import base

AZ_KEY = 'availability_zone'


class AvailabilityZoneFilter(base.RequestFilter):
    """Members of the aggregates of the requested zone.

    The aggregates whose ``availability_zone`` metadata is the requested
    zone become a ``member_of``. As in Nova, a zone no aggregate names adds
    nothing here (the default zone has no aggregate; the
    AvailabilityZoneFilter host filter decides).
    """

    needs = 'availability zone'

    def apply(self, spec, query, facts):
        zone = spec.availability_zone
        if not zone:
            return False
        mine = [record for record in self.aggregates(facts)
                if (record.metadata or {}).get(AZ_KEY) == zone]
        if not mine:
            return False
        query.unsuffixed.member_of.append(
            base.require_uuids(self, mine, 'availability zone %s' % zone))
        return True
