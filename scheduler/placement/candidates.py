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

"""``GET /allocation_candidates``: what Placement can offer a request.

The answer is decoded by msgspec straight into the shapes below, which
checks them on the way: a body Placement would not send is a
``PlacementBadResponse`` naming the first field out of shape. Provider
summaries become ``ProviderSummary`` structs that the garbage collector
does not track: at 10,000 providers the plain dicts of a general JSON
decoder made the collector run over the heap several times per answer,
and that cost more than the decoding itself (``tox -e bench``). The
allocation requests stay plain dicts, as they are claimed and returned to
the conductor.
"""

import dataclasses
import operator
import typing

import msgspec
from oslo_log import log as logging

from scheduler import exception
from scheduler.placement import answer_memory
from scheduler.placement import versions

LOG = logging.getLogger(__name__)

URL = '/allocation_candidates'


class Inventory(msgspec.Struct, gc=False):
    """One resource class of a provider: ``capacity`` and ``used``.

    Placement's capacity is ``(total - reserved) * allocation_ratio``.
    """

    capacity: int
    used: int


class ProviderSummary(msgspec.Struct, gc=False):
    """A provider of the answer: its resources, traits and tree."""

    resources: dict[str, Inventory] = {}
    traits: list[str] = []
    parent_provider_uuid: typing.Optional[str] = None
    root_provider_uuid: typing.Optional[str] = None


class _Allocation(typing.TypedDict, total=False):
    resources: dict[str, int]


class AllocationRequest(typing.TypedDict, total=False):
    """``{"allocations": {rp_uuid: {"resources": {rc: n}}}, "mappings"}``."""

    allocations: typing.Required[dict[str, _Allocation]]
    mappings: dict[str, list[str]]


class _Answer(msgspec.Struct, gc=False):
    allocation_requests: list[AllocationRequest]
    provider_summaries: dict[str, ProviderSummary]


_DECODER = msgspec.json.Decoder(_Answer)


@dataclasses.dataclass
class Candidates:
    """Placement's answer, checked for shape.

    ``allocation_requests``: ``[{"allocations": {rp_uuid: {"resources":
    {rc: n}}}, "mappings": {suffix: [rp_uuid]}}]``;
    ``provider_summaries``: ``{rp_uuid: ProviderSummary}``; ``version``:
    the microversion of the answer (a claim of one of these allocation
    requests states it); ``query``: the query string sent;
    ``summaries_since``: ``(earlier, uuids)`` when the summaries are the
    mapping ``earlier`` (an earlier answer's) but for the summaries of
    ``uuids``, or None.
    """

    allocation_requests: list[dict]
    provider_summaries: dict
    version: str
    query: str = ''
    summaries_since: tuple = None

    def __len__(self):
        return len(self.allocation_requests)


def summaries(plain):
    """``{rp_uuid: ProviderSummary}`` of provider summaries as plain dicts.

    :raises: msgspec.ValidationError if one is not shaped as Placement's.
    """
    return msgspec.convert(plain, dict[str, ProviderSummary])


def _bad(endpoint, url, what):
    return exception.PlacementBadResponse(
        'Placement at %s answered GET %s with %s' % (endpoint, URL, what),
        'GET', url)


def _unknown_providers(requests, summaries):
    """Providers ``requests`` allocate from that ``summaries`` lacks."""
    # One set operation over every provider of every request, in C: at
    # 10,000 hosts a loop here would cost more than the rest of the check.
    return set().union(
        *map(operator.itemgetter('allocations'), requests)) - summaries.keys()


def _check(endpoint, url, requests, summaries):
    unknown = _unknown_providers(requests, summaries)
    if unknown:
        raise _bad(endpoint, url,
                   'an allocation request on providers missing from '
                   'provider_summaries: %s' % ', '.join(sorted(unknown)))


def _checked(answer, endpoint, url, version, query_string):
    _check(endpoint, url, answer.allocation_requests,
           answer.provider_summaries)
    return Candidates(allocation_requests=answer.allocation_requests,
                      provider_summaries=answer.provider_summaries,
                      version=version, query=query_string)


def new_memory(size=4):
    """An ``AnswerMemory`` for ``decode``: one per driver.

    ``size``: how many queries' last answers it keeps
    (``[scheduler] remembered_answers``).
    """
    return answer_memory.AnswerMemory(AllocationRequest, ProviderSummary,
                                      size=size)


def decode(raw, endpoint, url, version, query_string='', memory=None):
    """``Candidates`` of the JSON text of a ``GET /allocation_candidates``.

    :param memory: ``new_memory()``'s, kept from one answer to the next:
        what did not change since the last answer is not decoded again.
    :raises: PlacementBadResponse if ``raw`` is not JSON shaped as
        Placement's answer; ``endpoint`` and ``url`` say where it came from.
    """
    try:
        if memory is None:
            return _checked(_DECODER.decode(raw), endpoint, url, version,
                            query_string)
        decoded = memory.decode(raw, lambda d, indices: _check(
            endpoint, url, list(map(d.requests.__getitem__, indices)),
            d.summaries), key=query_string)
    except (msgspec.ValidationError, answer_memory.PartError) as e:
        raise _bad(endpoint, url, 'a body out of shape: %s' % e)
    except msgspec.DecodeError as e:
        raise _bad(endpoint, url, 'a body that is not JSON: %s' % e)
    return Candidates(allocation_requests=decoded.requests,
                      provider_summaries=decoded.summaries, version=version,
                      query=query_string,
                      summaries_since=decoded.summaries_since)


def from_body(body, endpoint, url, version, query_string=''):
    """``Candidates`` of an answer already decoded into plain values."""
    try:
        answer = msgspec.convert(body, _Answer)
    except msgspec.ValidationError as e:
        raise _bad(endpoint, url, 'a body out of shape: %s' % e)
    return _checked(answer, endpoint, url, version, query_string)


def _require_version(client, query):
    """The query's microversion; PlacementTooOld naming what the server lacks.

    The one check of a query against the server: it names each feature of
    the query (``query.features()``) newer than the server.
    """
    server = client.max_version()
    if server >= versions.parse(query.microversion):
        return query.microversion
    missing = sorted(
        '%s (%s)' % (feature, versions.FEATURES[feature])
        for feature in query.features()
        if versions.parse(versions.FEATURES[feature]) > server)
    if versions.parse(versions.ALLOCATION_CANDIDATES) > server:
        missing.insert(0, 'allocation candidates with mappings (%s)'
                       % versions.ALLOCATION_CANDIDATES)
    reason = ('Placement at %s supports microversions up to %s; this '
              'request needs %s' % (client.endpoint, versions.to_str(server),
                                    ', '.join(missing)))
    LOG.error('Placement call failed: %s', reason)
    raise exception.PlacementTooOld(reason)


def get_allocation_candidates(client, query, global_request_id=None,
                              memory=None):
    """Ask Placement for ``query`` (an AllocationCandidatesQuery).

    ``memory``: as ``decode``'s.

    Raises PlacementTooOld if the server cannot answer at the query's
    microversion, naming the features it lacks, and the other
    PlacementError subclasses of the client. An empty answer is not an
    error: ``Candidates`` with no requests.
    """
    version = _require_version(client, query)
    query_string = query.to_query_string()
    url = '%s?%s' % (URL, query_string)
    candidates = client.get(
        url, version, global_request_id=global_request_id,
        decode=lambda raw: decode(raw, client.endpoint, url, version,
                                  query_string, memory=memory))
    if candidates is None:
        error = _bad(client.endpoint, url, 'no body')
        LOG.error('Placement call failed: %s', error.reason)
        raise error
    LOG.debug('Placement offered %d allocation requests on %d providers '
              'for %s', len(candidates.allocation_requests),
              len(candidates.provider_summaries), query_string)
    return candidates
