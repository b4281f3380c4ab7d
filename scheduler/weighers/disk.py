"""DiskWeigher: weighs hosts by their free disk (GiB).

With a positive ``[filter_scheduler] disk_weight_multiplier`` (or the
aggregate metadata key of that name) the host with the most free wins
(spreading); negative stacks.
"""

from scheduler.host_state import host_state as hs
from scheduler.weighers import base


class DiskWeigher(base.FreeResourceWeigher):
    """Raw weight: the host's free disk (GiB)."""

    resource_class = hs.DISK_GB
    multiplier_option = 'disk_weight_multiplier'
