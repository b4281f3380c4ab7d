"""The scheduler driver interface (stevedore namespace ``scheduler.driver``).

The manager loads one driver by the name in ``[scheduler] driver`` and
constructs it with ``conf=<ConfigOpts>``.
"""

from oslo_config import cfg


class Scheduler:
    """Base class of scheduler drivers.

    ``host_facts`` is the ``scheduler.host_facts.store.HostFactsStore`` of
    the worker (the RPC casts, and Nova's databases or the operator's file
    when configured); the manager hands it over after loading the driver.
    None means no facts are known.
    """

    host_facts = None

    def __init__(self, conf=None):
        self.conf = conf if conf is not None else cfg.CONF

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
        raise NotImplementedError()
