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
sources that report compute nodes (``nova_db``); the RPC casts Nova sends
carry none. A host whose details are missing fails every request whose
answer depends on them (fail closed), and NoValidHost says how many hosts
lacked them and which source would report them. A request that does not
ask about them (an image without architecture, a flavor without
capabilities) is not judged on them.

With no such source configured, these filters can only refuse the
requests that depend on compute details: that is said once at start, at
WARNING, and by ``scheduler-status``.
"""

from oslo_log import log as logging

from scheduler.filters import base
from scheduler.host_state import facts

LOG = logging.getLogger(__name__)


def compute_details_expected(conf):
    """Whether a configured host-facts source reports compute details."""
    return 'nova_db' in conf.host_facts.sources


class ComputeFactsFilter(base.BaseHostFilter):
    """A filter judging compute details; see the module docstring."""

    reads_facts = frozenset([facts.COMPUTE])

    def __init__(self, conf=None):
        super().__init__(conf)
        if not compute_details_expected(self.conf):
            LOG.warning('%s reads compute details, which no configured '
                        'host-facts source reports ([host_facts] sources '
                        '= nova_db does): it refuses every host for the '
                        'requests that depend on them', self.name)
