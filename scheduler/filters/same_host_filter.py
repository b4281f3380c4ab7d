"""SameHostFilter: next to the instances of the ``same_host`` hint.

As in Nova: with the hint (one instance uuid or a list), a host passes
when it runs at least one of them; without it every host passes. A host
whose instances are unknown runs none that we know of, so it fails
(closed, as Nova's empty instance list would).
"""

import numpy as np

from scheduler.filters import affinity_hints
from scheduler.filters import base

HINT = 'same_host'


class SameHostFilter(base.BaseHostFilter):
    """Passes hosts running one of the hinted instances."""

    run_filter_once_per_request = True

    def host_passes(self, host_state, spec):
        uuids = affinity_hints.hinted_uuids(spec, HINT)
        if uuids is None:
            return True
        return affinity_hints.runs_any(host_state, uuids)

    def filter_mask(self, host_set, spec):
        uuids = affinity_hints.hinted_uuids(spec, HINT)
        if uuids is None:
            return np.ones(len(host_set), dtype=bool)
        return affinity_hints.runs_any_column(host_set, uuids)
