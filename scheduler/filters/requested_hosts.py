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

"""Hosts the request names: ignore_hosts, force_hosts, force_nodes and
requested_destination host/node, matched by name, case-insensitively (as
Nova matches them), and requested_destination cell (unless the move may
cross cells).

These run before the configured filters, always, and show in the filter
trace under the name of the request field, e.g. ``force_hosts 1000->1``.
As in Nova, the configured filters do not run when the request forces
hosts or nodes (but for a rebuild check); a disabled host is still never
chosen, Placement having been asked for no host with the
COMPUTE_STATUS_DISABLED trait.
"""

import numpy as np

from scheduler.host_state import columns


def _lower_set(names):
    return {n.lower() for n in names if n}


def _mask(host_set, attr, names, keep):
    wanted = _lower_set(names)
    inside = np.fromiter(map(wanted.__contains__,
                             columns.names(host_set, attr)),
                         bool, len(host_set))
    return inside if keep else ~inside


def requested_host_masks(host_set, spec):
    """``[(label, mask)]``, one per host-name constraint the spec carries."""
    steps = []
    if spec.ignore_hosts:
        steps.append(('ignore_hosts',
                      _mask(host_set, 'host', spec.ignore_hosts, False)))
    if spec.force_hosts:
        steps.append(('force_hosts',
                      _mask(host_set, 'host', spec.force_hosts, True)))
    if spec.force_nodes:
        steps.append(('force_nodes',
                      _mask(host_set, 'nodename', spec.force_nodes, True)))
    dest = spec.requested_destination
    if dest is not None and dest.host:
        steps.append(('requested_destination host',
                      _mask(host_set, 'host', [dest.host], True)))
    if dest is not None and dest.node:
        steps.append(('requested_destination node',
                      _mask(host_set, 'nodename', [dest.node], True)))
    if (dest is not None and dest.cell_uuid and
            not dest.allow_cross_cell_move):
        # As Nova: a move stays in the instance's cell unless the
        # conductor allows a cross-cell one.
        steps.append(('requested_destination cell', np.fromiter(
            (cell == dest.cell_uuid for cell in host_set.cell_uuids),
            bool, len(host_set))))
    return steps
