"""IoOpsWeigher: weighs hosts by the instances doing IO on them.

The count is the compute node's ``num_io_ops`` stat plus the instances of
this request already placed on the host. The default
``[filter_scheduler] io_ops_weight_multiplier`` of -1.0 prefers lightly
loaded hosts; positive prefers busy ones. Normalised from 0, as in Nova.
"""

from scheduler.weighers import base
from scheduler.weighers import utils


class IoOpsWeigher(base.ConfiguredWeigher):
    """Raw weight: the host's IO operations in progress."""

    minval = 0
    multiplier_option = 'io_ops_weight_multiplier'

    def _weigh_object(self, host_state, spec):
        return utils.num_io_ops(host_state)

    def weigh_columns(self, host_set, spec):
        return utils.fact_columns(host_set).io_ops + utils.consumed(host_set)
