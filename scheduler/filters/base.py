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

"""The filter plugin interface (stevedore namespace ``scheduler.filters``).

A filter decides which hosts may take the instance. It is loaded by its
entry point name from ``[filter_scheduler] enabled_filters`` and
constructed with ``conf=<ConfigOpts>``.

Every filter answers per host with ``host_passes(host_state, spec)``.
A filter may also answer for every host at once with
``filter_mask(host_set, spec)``, returning a numpy boolean array aligned
with ``host_set.hosts``; the handler then uses it instead of calling
``host_passes`` once per host. Both answers must agree. Third-party
filters may implement ``host_passes`` only.

As in Nova, when the request is a rebuild check (the ``_nova_check_type``
hint is ``rebuild``) only the filters with ``RUN_ON_REBUILD = True`` run
(those about the image and policies, not about the host's usage); the
others let every host pass.
"""

from oslo_config import cfg


class BaseHostFilter:
    """Base class of host filters.

    Subclasses implement ``host_passes`` and, to be fast over thousands of
    hosts, ``filter_mask``. Set ``run_filter_once_per_request = True`` for
    a filter whose answer cannot change between the instances of one
    multi-create request (it then runs for the first instance only; the
    hosts it removed stay removed). Set ``RUN_ON_REBUILD = True`` for a
    filter that must also judge a rebuild's current host.
    """

    run_filter_once_per_request = False
    RUN_ON_REBUILD = False

    def __init__(self, conf=None):
        self.conf = conf if conf is not None else cfg.CONF

    @property
    def name(self):
        return type(self).__name__

    def host_passes(self, host_state, spec):
        """True when the host may take an instance of ``spec``.

        :param host_state: a ``scheduler.host_state.HostState``.
        :param spec: the ``scheduler.objects.RequestSpec``.
        """
        raise NotImplementedError()

    def limits(self, host_state, spec):
        """What the host's own claim must respect if it is chosen.

        A dict for the Selection's ``limits`` (Nova's ``host_state.limits``
        keys); none by default. Asked only for hosts that passed.
        """
        return {}

    def run_filter_for_index(self, index):
        """Whether to run for instance ``index`` (0-based) of the request."""
        return not (self.run_filter_once_per_request and index > 0)

    # Optional column path, documented here and looked up by the handler:
    #
    # def filter_mask(self, host_set, spec):
    #     """numpy bool array over host_set.hosts: True where it passes."""
