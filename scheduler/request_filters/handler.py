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

"""Run every installed request filter that its option switches on."""

from oslo_log import log as logging

from scheduler import plugins
from scheduler.request_filters import base

LOG = logging.getLogger(__name__)

NAMESPACE = 'scheduler.request_filters'


class RequestFilterHandler:
    """The request filters of ``scheduler.request_filters``, all loaded.

    A filter that does not load stops the service (PluginLoadError).
    Whether each one runs is read from its option at every request, so a
    configuration reload applies.
    """

    def __init__(self, conf, filters=None):
        self.conf = conf
        if filters is None:
            filters = [flt for _name, flt in
                       plugins.load_all(NAMESPACE, conf,
                                        interface=base.RequestFilter)]
        self.filters = filters

    def run(self, spec, query, facts):
        """Apply the enabled filters to ``query``.

        Returns the names of those that changed it; raises NoValidHost
        from a filter that refuses.
        """
        changed = []
        for flt in self.filters:
            if not flt.enabled():
                continue
            if flt.apply(spec, query, facts):
                changed.append(flt.name)
        if changed:
            LOG.debug('Request filters %s changed the query',
                      ', '.join(changed))
        return changed
