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

"""The scheduler driver interface (stevedore namespace ``scheduler.driver``).

The manager loads one driver by the name in ``[scheduler] driver`` and
constructs it with ``conf=<ConfigOpts>``.
"""

import abc

from oslo_config import cfg


class Scheduler(abc.ABC):
    """Base class of scheduler drivers; a plugin that is not one does not load.

    ``host_facts`` is the ``scheduler.host_facts.store.HostFactsStore`` of
    the worker (the RPC casts, and Nova's databases or the operator's file
    when configured); the manager hands it over after loading the driver.
    None means no facts are known.
    """

    host_facts = None

    def __init__(self, conf=None):
        self.conf = conf if conf is not None else cfg.CONF

    @abc.abstractmethod
    def select_destinations(self, context, spec, instance_uuids=None,
                            return_alternates=False, on_candidates=None):
        """Pick a host for each instance of ``spec``.

        :param context: the caller's request context (never logged).
        :param spec: a ``scheduler.objects.RequestSpec``.
        :param instance_uuids: one uuid per instance, the Placement
            consumers to claim for; None (legacy callers) claims nothing.
        :param return_alternates: also return up to ``max_attempts - 1``
            alternate hosts per instance.
        :param on_candidates: None, or called once Placement has offered
            candidates (or a rebuild check begins): where Nova's scheduler
            sends its ``select_destinations.start`` notification.
        :returns: one list of ``Selection`` per instance, chosen first.
        :raises: ``NoValidHost`` with a reason.
        """

    def fact_readers(self):
        """``{fact: [plugin names]}``: the host facts its plugins read.

        Facts are ``scheduler.host_state.facts.INSTANCES``/``COMPUTE``;
        the worker warns at start about those no source reports.
        """
        return {}

    def stop(self):
        """Release what the driver holds, when the worker stops."""
