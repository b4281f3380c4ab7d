"""PciPassthroughFilter: hosts with the PCI devices the request needs.

As in Nova: a request with PCI requests (``RequestSpec.pci_requests``:
flavor PCI aliases, SR-IOV ports) needs a host whose PCI device pools
(``ComputeFacts.pci_pools``: dicts with ``vendor_id``, ``product_id``,
``count``, ``numa_node`` and tags such as ``dev_type`` or
``physical_network``) hold, for each request in turn, ``count`` devices
of pools matching one of its specs (every key of the spec equal to the
pool's). A device taken by one request is not available to the next, nor
to the next instance of a multi-create. A request without PCI requests
passes everywhere.

Not modelled: NUMA affinity policies of the devices, and PCI devices
tracked in Placement (``[filter_scheduler] pci_in_placement``; their
resources are claimed through Placement's candidates anyway).

Facts missing: a host without reported pools fails a request for
devices (as Nova); a host without compute details passes only when no
source reports them (``compute_facts``).
"""

from scheduler.filters import compute_facts
from scheduler.filters import utils


def _matches(pool, spec):
    return all(str(pool.get(key)) == str(value)
               for key, value in spec.items())


def supports(pools, requests):
    """Whether ``pools`` hold the devices of every request, in order."""
    left = [int(pool.get('count', 0)) for pool in pools]
    for request in requests:
        wanted = request.count
        for i, pool in enumerate(pools):
            if wanted <= 0:
                break
            if left[i] and any(_matches(pool, s) for s in request.spec or
                               [{}]):
                taken = min(left[i], wanted)
                left[i] -= taken
                wanted -= taken
        if wanted > 0:
            return False
    return True


class PciPassthroughFilter(compute_facts.ComputeFactsFilter):
    """Passes hosts whose PCI pools satisfy the request's PCI requests."""

    def host_passes(self, host_state, spec):
        requests = spec.pci_requests
        if not requests:
            return True
        if self.unjudged(host_state):
            return True
        compute = utils.compute(host_state)
        if compute is None or not compute.pci_pools:
            return False
        # Devices the instances of this request placed here already took.
        return supports(compute.pci_pools,
                        list(requests) * (host_state.placed + 1))
