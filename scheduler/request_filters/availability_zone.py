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
