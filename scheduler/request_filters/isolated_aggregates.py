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

"""Keep requests away from aggregates that require traits they lack."""

from scheduler.request_filters import base

PREFIX = 'trait:'


class IsolatedAggregatesFilter(base.RequestFilter):
    """Forbid aggregates that require traits the request lacks.

    Every aggregate with ``trait:T=required`` metadata for a trait T the
    flavor and image do not require goes into ``member_of=!in:``.
    """

    option = 'enable_isolated_aggregate_filtering'
    needs = 'isolated aggregate'

    def apply(self, spec, query, facts):
        required = query.all_required_traits()
        isolated = [
            record for record in self.aggregates(facts)
            if any(key.startswith(PREFIX) and value == 'required' and
                   key[len(PREFIX):] not in required
                   for key, value in (record.metadata or {}).items())]
        if not isolated:
            return False
        query.unsuffixed.forbidden_aggregates |= base.require_uuids(
            self, isolated, 'isolated aggregates')
        return True
