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
