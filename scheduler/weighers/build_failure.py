"""BuildFailureWeigher: weighs down hosts whose recent builds failed.

The raw weight is the compute node's ``failed_builds`` stat (reset by its
next successful build); the multiplier is minus
``[filter_scheduler] build_failure_weight_multiplier`` (1e6 by default, so
a failing host comes after every healthy one).
"""

from scheduler.weighers import base
from scheduler.weighers import utils


class BuildFailureWeigher(base.ConfiguredWeigher):
    """Raw weight: the host's recent failed builds (multiplier negated)."""

    multiplier_option = 'build_failure_weight_multiplier'
    sign = -1.0

    def _weigh_object(self, host_state, spec):
        return utils.failed_builds(host_state)

    def weigh_columns(self, host_set, spec):
        return utils.fact_columns(host_set).failed_builds
