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

"""The weigher plugin interface (stevedore namespace ``scheduler.weighers``).

A weigher scores the hosts that passed the filters; the host with the
highest total weight is chosen. It is loaded by entry point name from
``[filter_scheduler] weight_classes`` (``all`` loads every weigher of the
namespace) and constructed with ``conf=<ConfigOpts>``; a plugin that is
not a ``BaseHostWeigher`` with its rule implemented does not load.

A weigher returns raw weights. The handler normalises them to [0, 1] over
the hosts being weighed (min-max, all-equal gives 0; ``minval``/``maxval``
fix either bound, and clamp the raw weights as in Nova), multiplies them
by the weigher's multipliers and adds them up. Weighers never normalise
themselves.

A weigher states its rule once, in one of two forms:

- ``ColumnWeigher.weigh_columns(host_set, spec)``: a numpy float array of
  raw weights aligned with ``host_set.hosts``, every host at once; the
  built-in weighers are written so.
- ``BaseHostWeigher._weigh_object(host_state, spec)``: one host at a time
  (Nova's name), for third-party weighers written as for Nova.

Either form answers the other's question, and the handler asks each
weigher only ``weight_multipliers(host_set, indices)`` and, unless those
are all 0, ``raw_weights(host_set, spec, indices)``.
"""

import abc

import numpy as np
from oslo_config import cfg

from scheduler import host_scope
from scheduler.host_state import host_set as host_sets
from scheduler.weighers import utils


class BaseHostWeigher(abc.ABC):
    """Base class of host weighers, and of those that weigh one host at a time.

    ``minval``/``maxval``: fixed bounds for normalisation; None means the
    lowest/highest raw weight among the hosts weighed.

    ``reads_facts``: the per-host facts the raw weight reads
    (``facts.INSTANCES``, ``facts.COMPUTE``). A host lacking one, for a
    request ``depends_on_facts`` says depends on them, is not weighed on a
    guess: the handler gives it this weigher's worst share (and leaves it
    out of the normalisation), so an unknown never makes a host preferred.

    ``per_host`` (``scheduler.host_scope.STATE`` or ``FIXED``; None by
    default) declares that the raw weight of a host depends on that host
    alone and the request's constants, and that the multipliers do not
    change within a request: within a multi-create the handler then keeps
    the raw weights and asks again only about the hosts that may have
    changed. A weigher reading another host, ``spec.instance_uuid`` or
    the group's hosts must not declare it.
    """

    minval = None
    maxval = None
    reads_facts = frozenset()
    per_host = None

    def depends_on_facts(self, spec):
        """Whether ``spec``'s weights read ``reads_facts`` (default yes)."""
        return True

    def per_host_for(self, spec):
        """``per_host`` for ``spec``'s request: the class's by default.

        A weigher may declare less for a request its raw weights depend
        on less (``FIXED`` where they read nothing consumed).
        """
        return self.per_host

    def __init__(self, conf=None):
        self.conf = conf if conf is not None else cfg.CONF

    @property
    def name(self):
        return type(self).__name__

    def weight_multiplier(self, host_state):
        """Factor applied to this weigher's normalised weight of a host.

        Positive favours hosts with a high raw weight, negative the low
        ones, 0 switches the weigher off. ``host_state`` is None when
        asked once for all hosts.
        """
        return 1.0

    @abc.abstractmethod
    def _weigh_object(self, host_state, spec):
        """Raw weight (a number) of one host for ``spec``."""

    def weight_multipliers(self, host_set, indices):
        """Multiplier of hosts ``indices``: a float, or an array of them."""
        return np.fromiter(
            (self.weight_multiplier(host_set.hosts[i]) for i in indices),
            float, len(indices))

    def raw_weights(self, host_set, spec, indices):
        """Float array: raw weights of hosts ``indices``, and of no other.

        Here ``_weigh_object`` is asked for each of them.
        """
        return np.fromiter(
            (self._weigh_object(host_set.hosts[i], spec) for i in indices),
            float, len(indices))


class ColumnWeigher(BaseHostWeigher):
    """A weigher whose rule is stated on columns, for every host at once."""

    @abc.abstractmethod
    def weigh_columns(self, host_set, spec):
        """numpy float array of raw weights over ``host_set.hosts``.

        :param host_set: a ``scheduler.host_state.HostStateSet``.
        :param spec: the ``scheduler.objects.RequestSpec``.
        """

    def _weigh_object(self, host_state, spec):
        """The rule of ``weigh_columns``, for a set of this host alone."""
        return float(self.raw_weights(
            host_sets.HostStateSet([host_state]), spec, [0])[0])

    def weight_multipliers(self, host_set, indices):
        return float(self.weight_multiplier(None))

    def raw_weights(self, host_set, spec, indices):
        return np.asarray(self.weigh_columns(host_set, spec),
                          dtype=float)[indices]


class ConfiguredWeigher(ColumnWeigher):
    """A weigher whose multiplier is a config option, as Nova's built-ins.

    The multiplier is ``[multiplier_group] multiplier_option``, overridden
    for a host by the metadata key ``multiplier_key`` (the option's name by
    default) of its aggregates, and multiplied by ``sign``.
    """

    multiplier_group = 'filter_scheduler'
    multiplier_option = None
    multiplier_key = None
    sign = 1.0

    @property
    def _key(self):
        return self.multiplier_key or self.multiplier_option

    def configured_multiplier(self):
        """The option's value, before aggregate overrides."""
        return float(getattr(self.conf[self.multiplier_group],
                             self.multiplier_option))

    def weight_multiplier(self, host_state):
        if host_state is None:
            return self.sign * self.configured_multiplier()
        return float(self.multiplier_column(
            host_sets.HostStateSet([host_state]))[0])

    def multiplier_column(self, host_set):
        """Float array: each host's multiplier, overrides included."""
        return self.sign * utils.multiplier_column(
            host_set, self._key, self.configured_multiplier())

    def weight_multipliers(self, host_set, indices):
        return np.asarray(self.multiplier_column(host_set),
                          dtype=float)[indices]


class FreeResourceWeigher(ConfiguredWeigher):
    """Raw weight: the host's free ``resource_class`` in Placement.

    Free is Placement's capacity minus usage (capacity already being
    ``(total - reserved) * allocation_ratio``), including what earlier
    instances of the request consumed. Weights are normalised from 0, as
    in Nova.
    """

    minval = 0
    resource_class = None
    # The host's free resources, what was consumed on it included.
    per_host = host_scope.STATE

    def weigh_columns(self, host_set, spec):
        return host_set.free(self.resource_class).astype(float)

    def raw_weights(self, host_set, spec, indices):
        return host_set.free(self.resource_class)[indices].astype(float)
