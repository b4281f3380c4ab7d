"""Ask for hosts with packed virtqueues when the guest wants them."""

from scheduler.placement import extra_specs
from scheduler.request_filters import base

TRAIT = 'COMPUTE_NET_VIRTIO_PACKED'


class PackedVirtqueueFilter(base.RequestFilter):
    """Require COMPUTE_NET_VIRTIO_PACKED when asked.

    When ``hw:virtio_packed_ring`` / ``hw_virtio_packed_ring`` is true.
    Always on in Nova.
    """

    def apply(self, spec, query, facts):
        source = extra_specs.Source(spec.flavor, spec.image)
        if not source.either('hw:virtio_packed_ring', boolean=True):
            return False
        query.root_required.add(TRAIT)
        return True
