"""ComputeFilter: hosts whose compute service is disabled never pass.

Nova marks the compute node provider of a disabled (or down) compute
service with the ``COMPUTE_STATUS_DISABLED`` trait; such a host is never
chosen, even when the request forces it.
"""

from scheduler.filters import base
from scheduler.host_state import host_state as hs


class ComputeFilter(base.BaseHostFilter):
    """Passes hosts without the ``COMPUTE_STATUS_DISABLED`` trait."""

    run_filter_once_per_request = True

    def host_passes(self, host_state, spec):
        return hs.DISABLED_TRAIT not in host_state.traits

    def filter_mask(self, host_set, spec):
        return ~host_set.disabled
