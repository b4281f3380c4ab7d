"""Entry point of oslo-config-generator (``oslo.config.opts``)."""

from scheduler.conf import default
from scheduler.conf import filter_scheduler
from scheduler.conf import filters
from scheduler.conf import host_facts
from scheduler.conf import metrics
from scheduler.conf import notifications
from scheduler.conf import placement
from scheduler.conf import request_filters
from scheduler.conf import scheduler
from scheduler.conf import weighers

_MODULES = (default, scheduler, request_filters, filter_scheduler, filters,
            weighers, metrics, placement,
            host_facts, notifications)


def list_opts():
    result = []
    for module in _MODULES:
        result.extend(module.list_opts().items())
    return result
