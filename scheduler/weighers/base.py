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
"""

from oslo_config import cfg


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
