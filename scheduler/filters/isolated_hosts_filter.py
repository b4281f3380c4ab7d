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

"""IsolatedHostsFilter: isolated images on isolated hosts.

As in Nova, with ``[filter_scheduler] isolated_images`` and
``isolated_hosts``: an isolated image runs only on isolated hosts; with
``restrict_isolated_hosts_to_isolated_images`` (the default) isolated hosts
run only isolated images. With no isolated images configured, isolated
hosts take nothing when restricted and anything otherwise. Host names are
matched exactly. No host facts are needed.
"""

import numpy as np

from scheduler.filters import base
from scheduler.host_state import columns


class IsolatedHostsFilter(base.ColumnFilter):
    """Keeps isolated images and isolated hosts together."""

    run_filter_once_per_request = True
    RUN_ON_REBUILD = True

    def _decide(self, host_isolated, spec):
        opts = self.conf.filter_scheduler
        restrict = opts.restrict_isolated_hosts_to_isolated_images
        if not opts.isolated_images:
            return ~host_isolated if restrict else host_isolated | True
        image_isolated = bool(spec.image and
                              spec.image.id in opts.isolated_images)
        if restrict:
            return host_isolated == image_isolated
        return host_isolated | (not image_isolated)

    def filter_mask(self, host_set, spec):
        isolated = columns.name_in(host_set,
                                   self.conf.filter_scheduler.isolated_hosts)
        return np.asarray(self._decide(isolated, spec), dtype=bool)
