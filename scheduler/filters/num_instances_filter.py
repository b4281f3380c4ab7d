"""NumInstancesFilter: hosts with fewer than ``[filter_scheduler]
max_instances_per_host`` instances.

As in Nova: the compute node's ``num_instances`` stat, plus the instances
of this request already placed there, must be below the option. A stat
not reported counts 0 (as Nova); a host whose compute node is not
reported fails closed (see ``stat_limit``).
"""

from scheduler.filters import stat_limit


class NumInstancesFilter(stat_limit.StatLimitFilter):
    """Passes hosts below ``max_instances_per_host`` instances."""

    stats = ('num_instances',)
    option = 'max_instances_per_host'
