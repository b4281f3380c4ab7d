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
constructed with ``conf=<ConfigOpts>``; a plugin that is not a
``BaseHostFilter`` with its rule implemented does not load.

A filter states its rule once, in one of two forms:

- ``ColumnFilter.filter_mask(host_set, spec)``: a numpy boolean array
  aligned with ``host_set.hosts``, every host at once. The built-in
  filters are written so, to be fast over thousands of hosts.
- ``BaseHostFilter.host_passes(host_state, spec)``: one host at a time,
  for rules that do not vectorise (NUMA fitting, PCI pools, JSON queries)
  and for third-party filters written as for Nova.

Either form answers the other's question (a column filter asked about one
host judges a set of that host alone), and the handler asks each filter
only ``passing_mask(host_set, spec, mask)``.

As in Nova, when the request is a rebuild check (the ``_nova_check_type``
hint is ``rebuild``) only the filters with ``RUN_ON_REBUILD = True`` run
(those about the image and policies, not about the host's usage); the
others let every host pass.
"""

import abc

import numpy as np
from oslo_config import cfg

from scheduler.host_state import host_set as host_sets


class BaseHostFilter(abc.ABC):
    """Base class of host filters, and of those that judge one host at a time.

    Subclasses implement ``host_passes``, or derive from ``ColumnFilter``
    and implement ``filter_mask``. Set ``run_filter_once_per_request =
    True`` for a filter whose answer cannot change between the instances
    of one multi-create request (it then runs for the first instance only;
    the hosts it removed stay removed). Set ``RUN_ON_REBUILD = True`` for a
    filter that must also judge a rebuild's current host. Set
    ``reads_aggregates = True`` for a filter that reads aggregates: while
    they are not known (no host-facts source has reported them since
    start) it lets no host pass, for the requests ``depends_on_aggregates``
    says its answer depends on them.

    ``reads_facts`` names the per-host facts the rule reads
    (``facts.INSTANCES``, ``facts.COMPUTE``). The rule itself must fail a
    host whose fact it needs is not known (an empty instance list is not
    "none" unless ``instances_known``; no ``compute`` is no service known
    to be up); declaring what it reads lets NoValidHost say how many of
    the hosts it removed lacked the fact, and which source would report
    it.

    ``per_host`` (``scheduler.host_scope.STATE`` or ``FIXED``; None by
    default) declares that the answer about a host depends on that host
    alone and the request's constants: within a multi-create the handler
    then asks again only about the hosts that may have changed. A filter
    reading another host, ``spec.instance_uuid`` or the group's hosts
    must not declare it.
    """

    run_filter_once_per_request = False
    per_host = None
    RUN_ON_REBUILD = False
    reads_aggregates = False
    reads_facts = frozenset()

    def __init__(self, conf=None):
        self.conf = conf if conf is not None else cfg.CONF

    @property
    def name(self):
        return type(self).__name__

    @abc.abstractmethod
    def host_passes(self, host_state, spec):
        """True when the host may take an instance of ``spec``.

        :param host_state: a ``scheduler.host_state.HostState``.
        :param spec: the ``scheduler.objects.RequestSpec``.
        """

    def filter_mask(self, host_set, spec):
        """numpy bool array over ``host_set.hosts``: True where it passes."""
        return self.passing_mask(host_set, spec, np.ones(len(host_set), bool))

    def passing_mask(self, host_set, spec, mask):
        """The hosts of ``mask`` (a bool array) that pass, as a new array.

        The one question the handler asks. Here ``host_passes`` is asked
        for each host still in, and only for those.
        """
        result = mask.copy()
        for i in np.flatnonzero(mask):
            if not self.host_passes(host_set.hosts[i], spec):
                result[i] = False
        return result

    def depends_on_aggregates(self, spec):
        """Whether this request's answer depends on the hosts' aggregates.

        Asked only of a filter that ``reads_aggregates``; always, unless
        the filter says which requests do not.
        """
        return True

    def unknown_fact(self, host_set, spec):
        """Why no host can be judged for ``spec`` (a fact is unknown).

        None when the filter may run. The handler then lets no host pass
        and NoValidHost names the reason.
        """
        unknown = host_set.aggregates_unknown
        if unknown and self.reads_aggregates and (
                self.depends_on_aggregates(spec)):
            return 'aggregate membership unknown: %s' % unknown
        return None

    def limits(self, host_state, spec):
        """What the host's own claim must respect if it is chosen.

        A dict for the Selection's ``limits`` (Nova's ``host_state.limits``
        keys); none by default. Asked only for hosts that passed.
        """
        return {}

    def run_filter_for_index(self, index):
        """Whether to run for instance ``index`` (0-based) of the request."""
        return not (self.run_filter_once_per_request and index > 0)


class ColumnFilter(BaseHostFilter):
    """A filter whose rule is stated on columns, for every host at once."""

    @abc.abstractmethod
    def filter_mask(self, host_set, spec):
        """numpy bool array over ``host_set.hosts``: True where it passes.

        :param host_set: a ``scheduler.host_state.HostStateSet``.
        :param spec: the ``scheduler.objects.RequestSpec``.
        """

    def host_passes(self, host_state, spec):
        """The rule of ``filter_mask``, for a set of this host alone."""
        return bool(self.filter_mask(host_sets.HostStateSet([host_state]),
                                     spec)[0])

    def passing_mask(self, host_set, spec, mask):
        return mask & np.asarray(self.filter_mask(host_set, spec), bool)
