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

"""Confine a project to the aggregates made for it (``filter_tenant_id``)."""

from oslo_log import log as logging

from scheduler.request_filters import base

LOG = logging.getLogger(__name__)

TENANT_KEY = 'filter_tenant_id'


class TenantAggregateFilter(base.RequestFilter):
    """Members of the aggregates made for the project.

    The aggregates whose ``filter_tenant_id*`` metadata names the project
    become a ``member_of``. A project with none is unconfined, or refused
    with ``[scheduler] placement_aggregate_required_for_tenants``.
    """

    option = 'limit_tenants_to_placement_aggregate'
    needs = 'tenant aggregate'

    def apply(self, spec, query, facts):
        mine = [record for record in self.aggregates(facts)
                if any(key.startswith(TENANT_KEY) and
                       value == spec.project_id
                       for key, value in (record.metadata or {}).items())]
        if mine:
            uuids = base.require_uuids(self, mine, 'tenant isolation')
            query.unsuffixed.member_of.append(uuids)
            LOG.debug('Project %(project)s confined to aggregates %(aggs)s',
                      {'project': spec.project_id,
                       'aggs': ','.join(sorted(uuids))})
            return True
        if self.conf.scheduler.placement_aggregate_required_for_tenants:
            raise self.refuse(
                'no aggregate has %s* metadata for project %s, and '
                '[scheduler] placement_aggregate_required_for_tenants is '
                'set' % (TENANT_KEY, spec.project_id))
        return False
