"""NumInstancesFilter: hosts with fewer than ``[filter_scheduler]
max_instances_per_host`` instances.

As in Nova: the compute node's ``num_instances`` stat, plus the instances
of this request already placed there, must be below the option. Facts
missing: a host without the stat fails closed (see ``stat_limit``).
"""

from scheduler.filters import stat_limit


class NumInstancesFilter(stat_limit.StatLimitFilter):
    """Passes hosts below ``max_instances_per_host`` instances."""

    stat = 'num_instances'
    option = 'max_instances_per_host'
