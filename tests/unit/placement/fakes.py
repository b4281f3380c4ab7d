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

"""Test helpers: a private config for the Placement client."""

from oslo_config import cfg

from scheduler.conf import placement as placement_conf
from scheduler.conf import scheduler as scheduler_conf
from scheduler.sim import placement_server

# Retries stay on (they are what we test), without their real delays.
FAST_RETRIES = {'connect_retry_delay': 0.001,
                'status_code_retry_delay': 0.001}


def new_conf():
    """A private ConfigOpts with our [placement] and [scheduler] groups."""
    conf = cfg.ConfigOpts()
    # Fresh groups: ConfigOpts.register_group() keeps a shallow copy of the
    # module-level OptGroup, so two ConfigOpts registering the same OptGroup
    # object share its options, overrides included.
    conf.register_group(cfg.OptGroup(placement_conf.PLACEMENT_GROUP))
    conf.register_group(cfg.OptGroup('scheduler'))
    placement_conf.register_opts(conf)
    scheduler_conf.register_opts(conf)
    conf([], default_config_files=[], default_config_dirs=[])
    return conf


def make_conf(endpoint, **placement_overrides):
    """``new_conf()``, set to reach Placement at ``endpoint``."""
    conf = new_conf()
    placement_server.apply_placement_conf(conf, endpoint)
    for name, value in dict(FAST_RETRIES, **placement_overrides).items():
        conf.set_override(name, value, group='placement')
    return conf
