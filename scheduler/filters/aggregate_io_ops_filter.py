"""AggregateIoOpsFilter: IoOpsFilter with a per-aggregate limit.

As in Nova: the limit is the smallest ``max_io_ops_per_host`` metadata
value of the host's aggregates, else (none set, or a value that is not an
integer) ``[filter_scheduler] max_io_ops_per_host``. Facts missing: as
IoOpsFilter.
"""

from scheduler.filters import io_ops_filter


class AggregateIoOpsFilter(io_ops_filter.IoOpsFilter):
    """Passes hosts below their aggregates' IO operations limit."""

    aggregate_key = 'max_io_ops_per_host'
