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

"""``GET /allocation_candidates``: what Placement can offer a request."""

import dataclasses
import itertools

from oslo_log import log as logging

from scheduler import exception
from scheduler.placement import versions

LOG = logging.getLogger(__name__)

URL = '/allocation_candidates'


@dataclasses.dataclass
class Candidates:
    """Placement's answer, checked for shape.

    ``allocation_requests``: ``[{"allocations": {rp_uuid: {"resources":
    {rc: n}}}, "mappings": {suffix: [rp_uuid]}}]``;
    ``provider_summaries``: ``{rp_uuid: {"resources": {rc: {"capacity",
    "used"}}, "traits": [...], "parent_provider_uuid", "root_provider_uuid"
    }}``; ``version``: the microversion of the answer (a claim of one of
    these allocation requests states it); ``query``: the query string sent.
    """

    allocation_requests: list[dict]
    provider_summaries: dict
    version: str
    query: str = ''

    def __len__(self):
        return len(self.allocation_requests)


def _check(endpoint, body, url):
    def bad(what):
        reason = ('Placement at %s answered GET %s with %s'
                  % (endpoint, URL, what))
        LOG.error('Placement call failed: %s', reason)
        return exception.PlacementBadResponse(reason, 'GET', url)

    if not isinstance(body, dict):
        raise bad('a body that is not a JSON object')
    requests = body.get('allocation_requests')
    summaries = body.get('provider_summaries')
    if not isinstance(requests, list):
        raise bad('no allocation_requests list')
    if not isinstance(summaries, dict):
        raise bad('no provider_summaries object')
    if not all(map(isinstance, summaries.values(), itertools.repeat(dict))):
        raise bad('a provider summary that is not an object')
    # map() over C functions, not a loop: at 10,000 hosts the answer has
    # 10,000 requests, and this check runs on every one of them.
    if not all(map(isinstance, requests, itertools.repeat(dict))):
        raise bad('an allocation request that is not an object')
    allocations = list(map(dict.get, requests,
                           itertools.repeat('allocations')))
    if not all(map(isinstance, allocations, itertools.repeat(dict))):
        bad_request = requests[[isinstance(a, dict)
                                for a in allocations].index(False)]
        raise bad('an allocation request without allocations: %r'
                  % (str(bad_request)[:100],))
    unknown = set().union(*allocations) - summaries.keys()
    if unknown:
        raise bad('an allocation request on providers missing from '
                  'provider_summaries: %s' % ', '.join(sorted(unknown)))
    return requests, summaries


def from_body(body, endpoint, url, version, query_string=''):
    """``Candidates`` of a decoded ``GET /allocation_candidates`` answer.

    :raises: PlacementBadResponse (logged) if ``body`` is not shaped as
        Placement's answer; ``endpoint`` and ``url`` say where it came from.
    """
    requests, summaries = _check(endpoint, body, url)
    return Candidates(allocation_requests=requests,
                      provider_summaries=summaries, version=version,
                      query=query_string)


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


def get_allocation_candidates(client, query, global_request_id=None):
    """Ask Placement for ``query`` (an AllocationCandidatesQuery).

    Raises PlacementTooOld if the server cannot answer at the query's
    microversion, naming the features it lacks, and the other
    PlacementError subclasses of the client. An empty answer is not an
    error: ``Candidates`` with no requests.
    """
    version = _require_version(client, query)
    query_string = query.to_query_string()
    url = '%s?%s' % (URL, query_string)
    body = client.get(url, version, global_request_id=global_request_id)
    candidates = from_body(body, client.endpoint, url, version, query_string)
    LOG.debug('Placement offered %d allocation requests on %d providers '
              'for %s', len(candidates.allocation_requests),
              len(candidates.provider_summaries), query_string)
    return candidates
