"""AggregateNumInstancesFilter: NumInstancesFilter with a per-aggregate
limit.

As in Nova: the limit is the smallest ``max_instances_per_host`` metadata
value of the host's aggregates, else (none set, or a value that is not an
integer) ``[filter_scheduler] max_instances_per_host``. Facts missing: as
NumInstancesFilter.
"""

from scheduler.filters import num_instances_filter


class AggregateNumInstancesFilter(num_instances_filter.NumInstancesFilter):
    """Passes hosts below their aggregates' instance limit."""

    aggregate_key = 'max_instances_per_host'
