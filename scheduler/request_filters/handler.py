"""Run every installed request filter that its option switches on."""

from oslo_log import log as logging

from scheduler import plugins

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
                       plugins.load_all(NAMESPACE, conf)]
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
