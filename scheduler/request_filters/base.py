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

"""The request filter interface (stevedore namespace
``scheduler.request_filters``).

A request filter ("prefilter", as Nova calls them) narrows the
``GET /allocation_candidates`` query before it is sent: it adds aggregates
to be a member of (or not), or root provider traits. Each one is switched
by the ``[scheduler]`` option Nova uses for it; the ones Nova always runs
have no option and act only when the request asks for what they check.
"""

import abc

from scheduler import exception

# The state host-facts sources report when they serve no data
# (scheduler.host_facts.base.FAILED).
FAILED = 'failed'


class RequestFilter(abc.ABC):
    """Base class of request filters; a plugin that is not one does not load.

    Constructed with ``conf=<ConfigOpts>``. ``option`` names the
    ``[scheduler]`` boolean that switches the filter on (None: always on).
    """

    option = None
    # What the filter reads aggregates for, in its refusal when they are
    # not known ("availability zone membership unknown: ...").
    needs = 'aggregate'

    def __init__(self, conf):
        self.conf = conf

    @property
    def name(self):
        return type(self).__name__

    def enabled(self):
        return self.option is None or bool(self.conf.scheduler[self.option])

    @abc.abstractmethod
    def apply(self, spec, query, facts):
        """Add to ``query`` (an AllocationCandidatesQuery) for ``spec``.

        :param facts: the host facts (``aggregates()`` ->
            ``{key: record with uuid, hosts, metadata}``), or None when the
            service has none.
        :returns: True if the query was changed.
        :raises: NoValidHost when the request cannot be placed, or when
            the filter cannot get the data it needs (it fails closed).
        """

    def refuse(self, reason, detail=None):
        """NoValidHost naming this filter and ``reason``.

        ``reason`` reaches end users; ``detail`` (names, uuids) is the
        operator's.
        """
        return exception.NoValidHost(
            'request filter %s: %s' % (self.name, reason),
            detail=None if detail is None else 'request filter %s: %s' % (
                self.name, detail))

    def aggregates(self, facts):
        """The aggregates of ``facts``; fails closed when it cannot tell.

        No facts, an error reading them, a source whose ``health()`` says
        it failed, or aggregates not known yet (``aggregates_unknown()``:
        no source has reported them since start): NoValidHost naming why.
        """
        if facts is None:
            raise self.refuse('needs aggregate metadata, and this scheduler '
                              'has no host facts')
        try:
            # A failed source may be missing aggregates: reading the rest
            # could let a confined project out.
            failed = [h for h in getattr(facts, 'health', list)()
                      if h.state == FAILED]
            records = list(facts.aggregates().values())
            unknown = facts.aggregates_unknown()
        except Exception as e:
            raise self.refuse('cannot read aggregate metadata: %s: %s'
                              % (type(e).__name__, e))
        if failed:
            raise self.refuse('cannot trust aggregate metadata: %s'
                              % '; '.join(h.describe() for h in failed))
        if unknown:
            # None heard of is not none there: a confined project or a
            # zone's hosts would be let out.
            raise self.refuse('%s membership unknown: %s'
                              % (self.needs, unknown))
        return records


def require_uuids(flt, records, why):
    """Uuids of ``records``; an aggregate without one fails closed."""
    uuids = set()
    for record in records:
        if not getattr(record, 'uuid', None):
            text = ('%s has no uuid, so Placement cannot be asked for it'
                    % why)
            # The aggregate's name is the operator's to read.
            name = getattr(record, 'name', None)
            raise flt.refuse('an aggregate of the ' + text,
                             detail='aggregate %s of the %s' % (name, text))
        uuids.add(record.uuid)
    return frozenset(uuids)
