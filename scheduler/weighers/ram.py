"""RAMWeigher: weighs hosts by their free RAM (MiB).

With a positive ``[filter_scheduler] ram_weight_multiplier`` (or the
aggregate metadata key of that name) the host with the most free wins
(spreading); negative stacks.
"""

from scheduler.host_state import host_state as hs
from scheduler.weighers import base


class RAMWeigher(base.FreeResourceWeigher):
    """Raw weight: the host's free RAM (MiB)."""

    resource_class = hs.MEMORY_MB
    multiplier_option = 'ram_weight_multiplier'
