"""CPUWeigher: weighs hosts by their free vCPUs.

Free is Placement's capacity minus usage, capacity being already
(total - reserved) * allocation_ratio. With a positive
``[filter_scheduler] cpu_weight_multiplier`` (or aggregate metadata key of
that name) the host with the most free wins (spreading); negative stacks.
Weights are normalised from 0, as in Nova.
"""

from scheduler.host_state import host_state as hs
from scheduler.weighers import base


class CPUWeigher(base.ConfiguredWeigher):
    """Raw weight: the host's free vCPUs."""

    minval = 0
    multiplier_option = 'cpu_weight_multiplier'

    def _weigh_object(self, host_state, spec):
        return host_state.free(hs.VCPU)

    def weigh_columns(self, host_set, spec):
        return host_set.free_vcpus.astype(float)
