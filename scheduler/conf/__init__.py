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

"""Configuration options, one module per option group.

Every option is registered on the global ``cfg.CONF``: oslo.messaging
registers some of its own options there only (its tracing options, in
18.3), so a private ``ConfigOpts`` would leave the RPC server unable to
dispatch.
"""

from oslo_config import cfg

from scheduler.conf import default
from scheduler.conf import filter_scheduler
from scheduler.conf import filters
from scheduler.conf import host_facts
from scheduler.conf import metrics
from scheduler.conf import metrics_exporter
from scheduler.conf import notifications
from scheduler.conf import placement
from scheduler.conf import request_filters
from scheduler.conf import scheduler
from scheduler.conf import weighers

CONF = cfg.CONF


def register_opts(conf):
    """Register every option of this service on ``conf``.

    The one place options are registered: on ``cfg.CONF`` below, and on a
    private ``ConfigOpts`` a tool or a test builds (each group is a new
    ``OptGroup``, so no two ``ConfigOpts`` share overrides).
    """
    default.register_opts(conf)
    scheduler.register_opts(conf)
    request_filters.register_opts(conf)
    filter_scheduler.register_opts(conf)
    host_facts.register_opts(conf)
    filters.register_opts(conf)
    placement.register_opts(conf)
    weighers.register_opts(conf)
    metrics.register_opts(conf)
    metrics_exporter.register_opts(conf)
    notifications.register_opts(conf)


register_opts(CONF)
