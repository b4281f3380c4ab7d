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

"""CrossCellWeigher: during a cross-cell move, prefer the current cell.

Only a request whose ``requested_destination`` names a cell and allows a
cross-cell move is concerned: hosts of that cell weigh 1, the others -1.
Every other request weighs 0 everywhere. The multiplier is
``[filter_scheduler] cross_cell_move_weight_multiplier`` (1e6).
"""

import numpy as np

from scheduler import host_scope
from scheduler.weighers import base


def _preferred_cell(spec):
    destination = spec.requested_destination
    if destination is None or not destination.allow_cross_cell_move:
        return None
    return destination.cell_uuid or None


class CrossCellWeigher(base.ConfiguredWeigher):
    """Raw weight: 1 in the preferred cell, -1 outside, 0 when no move."""

    multiplier_option = 'cross_cell_move_weight_multiplier'
    # The host's cell and the request's destination.
    per_host = host_scope.FIXED

    def weigh_columns(self, host_set, spec):
        cell = _preferred_cell(spec)
        if cell is None:
            return np.zeros(len(host_set))
        return np.where(
            np.array(host_set.cell_uuids, dtype=object) == cell, 1.0, -1.0)
