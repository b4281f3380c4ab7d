"""CPUWeigher: weighs hosts by their free vCPUs.

With a positive ``[filter_scheduler] cpu_weight_multiplier`` (or the
aggregate metadata key of that name) the host with the most free wins
(spreading); negative stacks.
"""

from scheduler.host_state import host_state as hs
from scheduler.weighers import base


class CPUWeigher(base.FreeResourceWeigher):
    """Raw weight: the host's free vCPUs."""

    resource_class = hs.VCPU
    multiplier_option = 'cpu_weight_multiplier'
