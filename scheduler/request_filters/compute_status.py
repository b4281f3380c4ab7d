"""Never offer a disabled compute service's node."""

from scheduler.request_filters import base

DISABLED = 'COMPUTE_STATUS_DISABLED'


class ComputeStatusFilter(base.RequestFilter):
    """Forbid COMPUTE_STATUS_DISABLED on the root provider.

    nova-compute puts the trait on its nodes while its service is disabled.
    Always on in Nova.
    """

    def apply(self, spec, query, facts):
        query.root_forbidden.add(DISABLED)
        return True
