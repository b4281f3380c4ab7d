"""RAMWeigher: weighs hosts by their free RAM (MiB).

Free is Placement's capacity minus usage, capacity being already
(total - reserved) * allocation_ratio. With a positive
``[filter_scheduler] ram_weight_multiplier`` (or aggregate metadata key of
that name) the host with the most free wins (spreading); negative stacks.
Weights are normalised from 0, not from the least free host, as in Nova.
"""

from scheduler.host_state import host_state as hs
from scheduler.weighers import base


class RAMWeigher(base.ConfiguredWeigher):
    """Raw weight: the host's free RAM (MiB)."""

    minval = 0
    multiplier_option = 'ram_weight_multiplier'

    def _weigh_object(self, host_state, spec):
        return host_state.free(hs.MEMORY_MB)

    def weigh_columns(self, host_set, spec):
        return host_set.free_ram_mb.astype(float)
