#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.

"""Base of the filters that read a host's compute details.

Compute details (``ComputeFacts``: hypervisor, supported instances, stats,
NUMA topology, PCI pools, metrics, host IP) come only from the host-facts
sources of ``[host_facts] sources`` (``nova_db``, ``file``); the RPC casts
Nova sends carry none. So:

- with such a source configured, a host whose compute details are missing
  fails closed (the source could not vouch for it);
- with none configured, nothing could ever judge these facts: the filter
  lets hosts without them pass, and says so once, at start, at WARNING.
  Otherwise Nova's default filters would refuse every image that names an
  architecture in a deployment that did not configure a source.
"""

import numpy as np
from oslo_log import log as logging

from scheduler.filters import base
from scheduler.host_state import columns

LOG = logging.getLogger(__name__)


def compute_details_expected(conf):
    """Whether a configured host-facts source reports compute details."""
    return bool(conf.host_facts.sources)


class ComputeFactsFilter(base.BaseHostFilter):
    """A filter judging compute details; see the module docstring."""

    def __init__(self, conf=None):
        super().__init__(conf)
        self.compute_expected = compute_details_expected(self.conf)
        if not self.compute_expected:
            LOG.warning('%s reads compute details, which no host-facts '
                        'source reports ([host_facts] sources is empty): '
                        'it lets hosts without them pass', self.name)

    def unjudged(self, host_state):
        """True for a host this filter cannot judge and lets pass."""
        return (not self.compute_expected and
                host_state.facts.compute is None)

    def unjudged_column(self, host_set):
        """Bool column of ``unjudged``."""
        if self.compute_expected:
            return np.zeros(len(host_set), dtype=bool)
        return columns.fact_table(host_set).no_compute != 0
