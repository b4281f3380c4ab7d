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

"""HostNameWeigher: the counterpart of Nova's test weigher of that name.

Nova's functional tests make the choice of host deterministic with
``nova.tests.fixtures.HostNameWeigherFixture``: a weigher giving each host
a fixed weight by name (0 for any other). The harness configures this one
in its place with the same weights, as a third-party weigher plugin of
the service: it answers per host, through the plugin interface.
"""

from oslo_config import cfg

from scheduler.weighers import base

_opts = [
    cfg.DictOpt('weights', default={},
                help='Raw weight of each host, by host name.'),
]


class HostNameWeigher(base.BaseHostWeigher):
    """Raw weight: the configured weight of the host's name, else 0."""

    def __init__(self, conf=None):
        super().__init__(conf)
        self.conf.register_opts(_opts, group='host_name_weigher')
        self.weights = {name: float(weight) for name, weight in
                        self.conf.host_name_weigher.weights.items()}

    def _weigh_object(self, host_state, spec):
        return self.weights.get(host_state.host, 0.0)
