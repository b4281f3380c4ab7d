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

"""Decode an allocation candidates answer, reusing what the last one held.

Consecutive answers mostly repeat each other: the same providers, most
with the same usage, and for the same flavor the same allocation
requests. The answer is first split into the JSON text of each provider
summary and each allocation request (``msgspec.Raw``: a scan, no values
made); a part whose text equals the same part of the last answer *is*
that part's value, taken from the last answer, and only the parts that
differ are decoded. At 10,000 providers that turns ~16 ms of decoding
into ~5 ms (``tox -e bench``), and it hands the host-state builder the
same objects as last time for what did not change, so that it can reuse
its own work (``scheduler.host_state.rows``).

The texts are compared, never assumed: where the last answer's part is
looked for only decides how much is reused, not what a value is.
Provider summaries are matched by uuid, allocation requests by position.
Allocation requests differ from one flavor to another: the last answer
is kept per query, for a few queries.

The values handed out are shared with earlier answers and must not be
modified; nothing does (a claim copies what it sends, a host state counts
what it consumes apart from Placement's numbers).
"""

import collections
import itertools
import operator
import threading

import msgspec

# A text no part of an answer has (JSON values are never empty): where
# nothing of the last answer is aligned with a part.
_NOTHING = msgspec.Raw(b'')


class _Parts(msgspec.Struct, gc=False):
    allocation_requests: list[msgspec.Raw]
    provider_summaries: dict[str, msgspec.Raw]


_PARTS = msgspec.json.Decoder(_Parts)


class PartError(ValueError):
    """A part of the answer out of shape: ``where`` it is, and why."""

    def __init__(self, where, error):
        super().__init__('%s: %s' % (where, error))


class _Answer:
    """One decoded answer: each part's text and value, in order."""

    __slots__ = ('request_texts', 'requests', 'keys', 'summary_texts',
                 'summary_values', 'summaries', '_index')

    def __init__(self, request_texts, requests, keys, summary_texts,
                 summary_values, summaries):
        self.request_texts = request_texts
        self.requests = requests
        self.keys = keys
        self.summary_texts = summary_texts
        self.summary_values = summary_values
        # {uuid: summary}: the answer's, shared with later ones.
        self.summaries = summaries
        self._index = None

    def positions(self, keys):
        """Where each of ``keys`` is in this answer (-1: not in it)."""
        if self._index is None:
            self._index = {k: i for i, k in enumerate(self.keys)}
        return list(map(self._index.get, keys, itertools.repeat(-1)))


class Decoded:
    """What ``AnswerMemory.decode`` made of an answer.

    ``requests``: the allocation requests; ``summaries``: ``{uuid:
    summary}``; ``changed``: the indices of the requests that are not the
    last answer's; ``summaries_since``: when the summaries are the last
    answer's providers in its order, ``(the last answer's summaries, the
    uuids whose summary is not in them)``, else None.
    """

    __slots__ = ('requests', 'summaries', 'changed', 'summaries_since')

    def __init__(self, requests, summaries, changed, summaries_since=None):
        self.requests = requests
        self.summaries = summaries
        self.changed = changed
        self.summaries_since = summaries_since


_EMPTY = _Answer([], [], [], [], [], {})


def _reused(texts, last_texts, last_values, positions, decode, where):
    """``(values, changed)``: last values where the text is the same.

    ``positions[i]``: where part ``i`` was in the last answer (-1
    nowhere), or None for the same position. ``changed``: the indices
    decoded afresh.
    """
    n = len(texts)
    if positions is None:
        if len(last_texts) == n:
            old_texts, values = last_texts, list(last_values)
        else:
            old_texts, values = [_NOTHING] * n, [None] * n
    else:
        old_texts = list(map((last_texts + [_NOTHING]).__getitem__,
                             positions))
        values = list(map((last_values + [None]).__getitem__, positions))
    changed = list(itertools.compress(
        range(n), map(operator.ne, texts, old_texts)))
    for i in changed:
        try:
            values[i] = decode(texts[i])
        except msgspec.ValidationError as e:
            raise PartError(where(i), e)
    return values, changed


class AnswerMemory:
    """The latest answers decoded, one per query, to decode the next from.

    ``request_type``, ``summary_type``: the types one allocation request
    and one provider summary decode into; ``size``: how many queries' last
    answers are kept (the least recently asked one goes first; 0: none).
    One memory per driver (its Placement adapter), used by concurrent
    requests: each decode reads a query's last answer and replaces it.
    Each answer kept holds its body and values until the next one.
    """

    def __init__(self, request_type, summary_type, size=4):
        self._request = msgspec.json.Decoder(request_type).decode
        self._summary = msgspec.json.Decoder(summary_type).decode
        self._size = size
        self._answers = collections.OrderedDict()
        self._lock = threading.Lock()

    def _last(self, key):
        with self._lock:
            last = self._answers.get(key)
            if last is None:
                return _EMPTY
            self._answers.move_to_end(key)
            return last

    def _keep(self, key, answer):
        if not self._size:
            return
        with self._lock:
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self._size:
                self._answers.popitem(last=False)

    def decode(self, raw, check, key=''):
        """A ``Decoded`` answer of the JSON text ``raw`` to query ``key``.

        ``check(decoded, requests)`` raises if the answer is not one to
        use; ``requests`` are the indices of the allocation requests it
        must look at (the others were checked in the last answer, against
        the same providers). An answer that fails it is not remembered.

        :raises: msgspec.DecodeError (not JSON), msgspec.ValidationError
            (the answer out of shape), PartError (a part out of shape),
            and what ``check`` raises.
        """
        parts = _PARTS.decode(raw)
        last = self._last(key)
        summary_texts = list(parts.provider_summaries.values())
        keys = list(parts.provider_summaries)
        same_keys = keys == last.keys
        positions = None if same_keys else last.positions(keys)
        if same_keys:
            # The last answer's strings: equal, and their hashes are known.
            keys = last.keys
        summary_values, changed_summaries = _reused(
            summary_texts, last.summary_texts, last.summary_values,
            positions, self._summary,
            lambda i: 'provider_summaries[%s]' % keys[i])
        if not same_keys:
            summaries = dict(zip(keys, summary_values))
        elif changed_summaries:
            summaries = dict(last.summaries)
            for i in changed_summaries:
                summaries[keys[i]] = summary_values[i]
        else:
            summaries = last.summaries
        request_texts = parts.allocation_requests
        requests, changed = _reused(
            request_texts, last.request_texts, last.requests, None,
            self._request, lambda i: 'allocation_requests[%d]' % i)
        since = None
        if same_keys:
            since = (last.summaries, [keys[i] for i in changed_summaries])
        decoded = Decoded(requests, summaries, changed, since)
        check(decoded, changed if same_keys else range(len(requests)))
        self._keep(key, _Answer(request_texts, requests, keys,
                                summary_texts, summary_values, summaries))
        return decoded
