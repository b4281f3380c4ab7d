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

"""The host rows of the last answer, to build the next request's from.

Consecutive answers repeat each other, and the Placement client hands out
the very objects of the last answer for what did not change
(``scheduler.placement.answer_memory``). For an answer of the common
layout (one allocation request per provider, each provider a root) the
builder compares it with the last such answer row by row (a row is an
allocation request, its provider and that provider's summary, in the
requests' order), in C, pointers first: a row whose request and summary
are the last row's, with the same provider names and host facts
mappings, has the last row's host name, facts, traits and resources.
Only the other rows are read again, and only they are written into
copies of the last resource columns. At 10,000 hosts that replaces
reading every host (several ms) with comparing pointers.

Nothing is assumed: a name or fact mapping replaced, a layout out of the
common one, or more than a quarter of the rows changed, and the builder
reads the whole answer as it would without a memory.
"""

import collections
import operator
import threading

import numpy as np

from scheduler.host_state import facts as host_facts
from scheduler.host_state import host_set as host_sets
from scheduler.placement import candidates

# Read the whole answer when more than this share of its rows changed.
REUSE_UP_TO = 0.25

_NONE = candidates.Inventory(capacity=0, used=0)


def _changed(new, old):
    """Indices where ``new`` holds another object than ``old``."""
    return np.flatnonzero(np.fromiter(map(operator.is_not, new, old), bool,
                                      len(new))).tolist()


def _patched(values, indices, new):
    """``values`` with ``new`` at ``indices``: a copy, unless all equal."""
    if all(map(operator.is_, map(values.__getitem__, indices), new)):
        return values
    values = list(values)
    for i, value in zip(indices, new):
        values[i] = value
    return values


def _read_only(array):
    array.flags.writeable = False
    return array


class Rows:
    """The rows of one answer of the common layout.

    ``requests``, ``keys`` (their providers, which are the hosts' roots)
    and ``summaries`` (the providers'), in the requests' order;
    ``changed``: the rows that are not ``base``'s (the last answer's
    ``Rows``, or None: every row); ``source``: the answer's ``{uuid:
    summary}`` mapping; ``key``: its query. ``fill`` adds the rows' host
    names, facts, traits and resources.
    """

    def __init__(self, requests, keys, summaries, changed=None, base=None,
                 source=None, key=''):
        self.requests = requests
        self.key = key
        self.keys = keys
        self.summaries = summaries
        self.changed = changed
        self.source = source
        self._base = base
        # {provider: row}, made on first use; the base's while the
        # providers are its list.
        self._rows = (base._rows if base is not None and keys is base.keys
                      else None)
        self.names = self.facts = None
        self.host_names = self.node_facts = None
        self.traits = self.resources = None
        # {rc: (capacity, used)}, read-only: made on first use.
        self._columns = {}
        # The base's columns when this was made (a snapshot, so that no
        # chain of earlier answers is kept alive).
        self._base_columns = dict(base._columns) if base is not None else {}

    def row_of(self):
        """``{provider: row}``."""
        if self._rows is None:
            self._rows = {key: i for i, key in enumerate(self.keys)}
        return self._rows

    def fill(self, names, facts):
        """Read the rows' hosts from ``names`` and ``facts``.

        :returns: False when a row is not an ordinary host (no name known,
            or its compute record names another service host): the
            builder's general path handles those.
        """
        base, changed, keys = self._base, self.changed, self.keys
        # Not kept past this: rows kept by the memory would otherwise
        # hold every answer before them.
        self._base = None
        # What the base read of names and facts serves only when they are
        # the same mappings; the columns come from the summaries alone.
        same = (base is not None and names is base.names and
                facts is base.facts)
        if same:
            checked = [names.get(keys[i]) for i in changed]
            if None in checked:
                return False
            records = [facts.get(name, host_facts.UNKNOWN)
                       for name in checked]
            service_hosts = [record.service_host for record in records]
            host_names = _patched(base.host_names, changed, checked)
            # The base's list itself while its records stand: the fact
            # table memory then knows it at a glance.
            node_facts = _patched(base.node_facts, changed, records)
            traits = _patched(base.traits, changed,
                              [self.summaries[i].traits for i in changed])
            resources = _patched(base.resources, changed,
                                 [self.summaries[i].resources
                                  for i in changed])
        else:
            host_names = list(map(names.get, keys))
            if None in host_names:
                return False
            node_facts = list(map(facts.get, host_names,
                                  [host_facts.UNKNOWN] * len(host_names)))
            traits = list(map(operator.attrgetter('traits'), self.summaries))
            resources = list(map(operator.attrgetter('resources'),
                                 self.summaries))
            checked = host_names
            service_hosts = list(map(operator.attrgetter('service_host'),
                                     node_facts))
        if any(host is not None and host != name
               for host, name in zip(service_hosts, checked)):
            return False
        self.names, self.facts = names, facts
        self.host_names, self.node_facts = host_names, node_facts
        self.traits, self.resources = traits, resources
        return True

    def columns(self, rc):
        """``(capacity, used)`` int64 columns of ``rc``, the caller's own.

        From the base's columns with the changed rows read again where the
        base has them; from every row's resources otherwise.
        """
        pair = self._columns.get(rc)
        if pair is None:
            base = self._base_columns.get(rc)
            if base is None or self.changed is None:
                capacity, used = host_sets.resource_columns(
                    self.resources, rc)
            else:
                capacity, used = base[0].copy(), base[1].copy()
                for i in self.changed:
                    inventory = self.resources[i].get(rc, _NONE)
                    capacity[i] = inventory.capacity
                    used[i] = inventory.used
            pair = self._columns[rc] = (_read_only(capacity),
                                        _read_only(used))
        return pair[0].copy(), pair[1].copy()


class RowMemory:
    """The last answer's ``Rows`` per query, kept by the driver.

    ``size``: how many queries' rows are kept (the least recently asked
    one goes first; 0: none). Used by concurrent requests: each reads a
    query's last rows and replaces them.
    """

    def __init__(self, size=4):
        self._size = size
        self._rows = collections.OrderedDict()
        self._lock = threading.Lock()

    def reuse(self, answer):
        """``Rows`` of ``answer`` (``Candidates``) made from the last.

        None when the last rows cannot serve: none kept for the answer's
        query, the answer is not of the common layout where it changed,
        or changed too much.
        """
        key = answer.query
        with self._lock:
            last = self._rows.get(key)
            if last is not None:
                self._rows.move_to_end(key)
        requests = answer.allocation_requests
        summaries = answer.provider_summaries
        n = len(requests)
        if last is None or n != len(last.requests) or n != len(summaries):
            return None
        # Equal lists first (pointers compared, in C): most answers have
        # the last one's requests and most of its summaries.
        changed = set()
        providers = last.keys
        if requests != last.requests:
            changed.update(_changed(requests, last.requests))
            if len(changed) > REUSE_UP_TO * n:
                return None
            providers = list(providers)
            for i in changed:
                allocations = requests[i]['allocations']
                if len(allocations) != 1:
                    return None
                (providers[i],) = allocations
            # One request per provider, and nothing else in the summaries.
            if len(set(providers)) != n:
                return None
        since = getattr(answer, 'summaries_since', None)
        if (providers is last.keys and since is not None and
                since[0] is last.source):
            # The answer says which summaries are new since the last one:
            # no look-up of every provider.
            values = list(last.summaries)
            row_of = last.row_of()
            for uuid in since[1]:
                i = row_of.get(uuid)
                if i is None:
                    return None
                values[i] = summaries[uuid]
                changed.add(i)
        else:
            try:
                values = list(map(summaries.__getitem__, providers))
            except KeyError:
                return None
            if values != last.summaries:
                changed.update(_changed(values, last.summaries))
        if len(changed) > REUSE_UP_TO * n:
            return None
        changed = sorted(changed)
        for i in changed:
            if values[i].root_provider_uuid != providers[i]:
                return None
        return Rows(requests, providers, values, changed, base=last,
                    source=summaries, key=key)

    def remember(self, rows):
        """Keep ``rows`` (filled) for the next answer to their query."""
        if not self._size:
            return
        with self._lock:
            self._rows[rows.key] = rows
            self._rows.move_to_end(rows.key)
            while len(self._rows) > self._size:
                self._rows.popitem(last=False)

    def forget(self, key):
        """Keep nothing for query ``key``."""
        with self._lock:
            self._rows.pop(key, None)
