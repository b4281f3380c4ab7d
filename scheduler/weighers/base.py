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
namespace) and constructed with ``conf=<ConfigOpts>``.

A weigher returns raw weights. The handler normalises them to [0, 1] over
the hosts being weighed (min-max, all-equal gives 0; ``minval``/``maxval``
fix either bound), multiplies them by ``weight_multiplier`` and adds them
up. Weighers never normalise themselves.

Every weigher answers per host with ``_weigh_object(host_state, spec)``.
A weigher may also answer for every host at once with
``weigh_columns(host_set, spec)``, a numpy float array aligned with
``host_set.hosts``; the handler then uses it, with
``weight_multiplier(None)`` as one multiplier for all hosts. Both answers
must agree. Third-party weighers may implement ``_weigh_object`` only.
With a column path, a weigher may also give ``multiplier_column(host_set)``
(one multiplier per host, e.g. from aggregate metadata) instead of the one
``weight_multiplier(None)``, and ``weigh_indices(host_set, spec, indices)``
(raw weights of those hosts only) when weighing a host that did not pass
the filters could fail.

Raw weights are clamped to ``minval``/``maxval`` when these are set, as in
Nova.
"""

from oslo_config import cfg

from scheduler.weighers import utils


class BaseHostWeigher:
    """Base class of host weighers.

    ``minval``/``maxval``: fixed bounds for normalisation; None means the
    lowest/highest raw weight among the hosts weighed.
    """

    minval = None
    maxval = None

    def __init__(self, conf=None):
        self.conf = conf if conf is not None else cfg.CONF

    @property
    def name(self):
        return type(self).__name__

    def weight_multiplier(self, host_state):
        """Factor applied to this weigher's normalised weight of a host.

        Positive favours hosts with a high raw weight, negative the low
        ones, 0 switches the weigher off. ``host_state`` is None when the
        handler asks once for all hosts (the column path).
        """
        return 1.0

    def _weigh_object(self, host_state, spec):
        """Raw weight (a number) of one host for ``spec``."""
        raise NotImplementedError()

    # Optional column path, documented here and looked up by the handler:
    #
    # def weigh_columns(self, host_set, spec):
    #     """numpy float array of raw weights over host_set.hosts."""


class ConfiguredWeigher(BaseHostWeigher):
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
        configured = self.configured_multiplier()
        if host_state is None:
            return self.sign * configured
        return self.sign * utils.aggregate_multiplier(
            host_state, self._key, configured)

    def multiplier_column(self, host_set):
        """Float array: each host's multiplier, overrides included."""
        return self.sign * utils.multiplier_column(
            host_set, self._key, self.configured_multiplier())


class FreeResourceWeigher(ConfiguredWeigher):
    """Raw weight: the host's free ``resource_class`` in Placement.

    Free is Placement's capacity minus usage (capacity already being
    ``(total - reserved) * allocation_ratio``), including what earlier
    instances of the request consumed. Weights are normalised from 0, as
    in Nova.
    """

    minval = 0
    resource_class = None

    def _weigh_object(self, host_state, spec):
        return host_state.free(self.resource_class)

    def weigh_columns(self, host_set, spec):
        return host_set.free(self.resource_class).astype(float)
