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

"""Shared by DifferentHostFilter and SameHostFilter: the hosts running any
of the instances a scheduler hint names."""

from scheduler.filters import utils
from scheduler.host_state import columns


def hinted_uuids(spec, hint):
    uuids = utils.scheduler_hint(spec, hint)
    if not uuids:
        return None
    return [uuids] if isinstance(uuids, str) else list(uuids)


def runs_any_column(host_set, uuids):
    return columns.hosts_with_instances(host_set, uuids) > 0
