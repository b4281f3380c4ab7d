"""IoOpsFilter: hosts with fewer than ``[filter_scheduler]
max_io_ops_per_host`` instances doing IO.

As in Nova: the compute node's ``io_workload`` stat (instances building,
resizing, migrating, snapshotting, rescuing, unshelving), plus the
instances of this request already placed there, must be below the option.
A stat not reported counts 0 (as Nova); a host whose compute node is not
reported fails closed (see ``stat_limit``).
"""

from scheduler.filters import stat_limit


class IoOpsFilter(stat_limit.StatLimitFilter):
    """Passes hosts below ``max_io_ops_per_host`` IO-busy instances."""

    # Nova's compute node reports it as io_workload.
    stats = ('io_workload', 'num_io_ops')
    option = 'max_io_ops_per_host'
