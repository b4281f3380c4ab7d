"""IoOpsFilter: hosts with fewer than ``[filter_scheduler]
max_io_ops_per_host`` instances doing IO.

As in Nova: the compute node's ``num_io_ops`` stat (instances building,
resizing, migrating, snapshotting, rescuing, unshelving), plus the
instances of this request already placed there, must be below the option.
Facts missing: a host without the stat fails closed (see ``stat_limit``).
"""

from scheduler.filters import stat_limit


class IoOpsFilter(stat_limit.StatLimitFilter):
    """Passes hosts below ``max_io_ops_per_host`` IO-busy instances."""

    stat = 'num_io_ops'
    option = 'max_io_ops_per_host'
