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

"""AvailabilityZoneFilter: hosts of the requested availability zone.

Nova 34 no longer has this filter (its ``map_az_to_placement_aggregate``
request filter asks Placement instead); it is kept here for deployments
whose zones Placement does not know. A request without a zone lets every
host pass. A host's zone is its aggregates' ``availability_zone``
metadata, else ``[DEFAULT] default_availability_zone`` (see
``HostState.availability_zone``). A host whose zone is unknown (None)
fails closed when a zone is requested, and so does every host while
aggregates are not known at all (no source has reported them since
start).
"""

import numpy as np

from scheduler.filters import base
from scheduler.host_state import columns


class AvailabilityZoneFilter(base.ColumnFilter):
    """Passes hosts in the requested availability zone."""

    run_filter_once_per_request = True
    reads_aggregates = True

    def depends_on_aggregates(self, spec):
        return bool(spec.availability_zone)

    def filter_mask(self, host_set, spec):
        zones = columns.availability_zones(host_set)
        if not spec.availability_zone:
            return np.ones(len(host_set), dtype=bool)
        return zones == spec.availability_zone
