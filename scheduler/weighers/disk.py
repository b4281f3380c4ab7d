"""DiskWeigher: weighs hosts by their free disk (GiB).

Free is Placement's capacity minus usage, capacity being already
(total - reserved) * allocation_ratio. With a positive
``[filter_scheduler] disk_weight_multiplier`` (or aggregate metadata key of
that name) the host with the most free wins (spreading); negative stacks.
Weights are normalised from 0, as in Nova.
"""

from scheduler.host_state import host_state as hs
from scheduler.weighers import base


class DiskWeigher(base.ConfiguredWeigher):
    """Raw weight: the host's free disk (GiB)."""

    minval = 0
    multiplier_option = 'disk_weight_multiplier'

    def _weigh_object(self, host_state, spec):
        return host_state.free(hs.DISK_GB)

    def weigh_columns(self, host_set, spec):
        return host_set.free_disk_gb.astype(float)
