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

"""Step ``diagnosis``: why Placement offered no candidate (failures only).

Run by ``candidates`` when ``GET /allocation_candidates`` answered with
nothing, never on the success path. Placement is asked again with one
constraint relaxed at a time (``scheduler.placement.diagnosis.plan``),
``limit=1`` each (one candidate proves the constraint blocks), at most
``[scheduler] diagnosis_max_queries`` calls in all, in parallel on a
small pool of threads (keystoneauth sessions are thread-safe). A relaxed
query that got a candidate is asked once more with ``limit =
[scheduler] max_placement_results`` while the budget lasts: the largest
free amount of a blocking resource, and how many hosts meet every other
constraint, are read from provider summaries, and one candidate's
summaries only cover its own tree. A diagnosis of the same query made at
most ``[scheduler] diagnosis_reuse_seconds`` ago is given again, and at
most ``diagnosis_concurrency`` run at once per worker (a refusal beyond
that is not diagnosed, and says so): a burst of requests against a full
cloud must not multiply the load on Placement.

The caller's NoValidHost names resource classes, traits and counts
(``scheduler.placement.diagnosis_text``); the operator's detail (the
query strings, with aggregate and provider uuids, and each answer) is
logged once at INFO with the request id and carried by the exception to
the ``scheduler.select_destinations.error`` notification. The diagnosis
is best effort: a Placement failure while it runs is logged and the
refusal stands.
"""

from concurrent import futures
import dataclasses
import threading
import time

from oslo_log import log as logging

from scheduler import exception
from scheduler.placement import diagnosis
from scheduler.placement import diagnosis_text as text

LOG = logging.getLogger(__name__)

# Relaxed queries in flight at once, per scheduler process.
THREADS = 4


class Diagnoser:
    """Asks the relaxed queries of the requests Placement could not serve.

    :param budget: at most this many Placement calls per request (0: no
        diagnosis).
    :param follow_up_limit: ``limit`` of the follow-up query of a
        blocking constraint.
    """

    def __init__(self, budget, follow_up_limit, threads=THREADS,
                 reuse_seconds=0.0, concurrency=None,
                 clock=time.monotonic):
        self.budget = budget
        self.follow_up_limit = follow_up_limit
        self.reuse_seconds = reuse_seconds
        self._threads = threads
        self._pool = None
        self._lock = threading.Lock()
        self._clock = clock
        # {query string: (when, (reason, lines))} of recent diagnoses.
        self._recent = {}
        self._running = (threading.BoundedSemaphore(concurrency)
                         if concurrency else None)

    def explain(self, query, placement, request_id=None):
        """``diagnose``, unless a recent one of this query can be reused.

        None when ``concurrency`` diagnoses are running already: the
        refusal is then not diagnosed.
        """
        # Without its limit: an empty answer is empty at any limit, and
        # [scheduler] placement_results_per_instance varies it.
        key = dataclasses.replace(query, limit=None).to_query_string()
        now = self._clock()
        with self._lock:
            when, found = self._recent.get(key, (None, None))
        if when is not None and now - when <= self.reuse_seconds:
            reason, lines = found
            return reason, lines + [
                'the diagnosis of %.1f s ago is reused ([scheduler] '
                'diagnosis_reuse_seconds)' % (now - when)]
        if self._running is not None and not self._running.acquire(
                blocking=False):
            return None
        try:
            found = self.diagnose(query, placement, request_id)
        finally:
            if self._running is not None:
                self._running.release()
        if self.reuse_seconds > 0:
            with self._lock:
                self._recent = {k: v for k, v in self._recent.items()
                                if now - v[0] <= self.reuse_seconds}
                self._recent[key] = (now, found)
        return found

    def _executor(self):
        with self._lock:
            if self._pool is None:
                self._pool = futures.ThreadPoolExecutor(
                    max_workers=self._threads,
                    thread_name_prefix='placement-diagnosis')
            return self._pool

    def stop(self):
        """The process stops: no more queries."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def _ask_all(self, placement, queries, request_id):
        """Placement's answer (or PlacementError) to each of ``queries``."""
        if not queries:
            return []

        def ask(query):
            try:
                return placement.candidates(
                    query, global_request_id=request_id)
            except exception.PlacementError as e:
                # The client logged it at ERROR.
                return e

        if len(queries) == 1:
            return [ask(queries[0])]
        return list(self._executor().map(ask, queries))

    def diagnose(self, query, placement, request_id=None):
        """``(reason, lines)``: the caller's text, the operator's lines."""
        to_ask, total = diagnosis.plan(query, self.budget)
        relaxed = [diagnosis.relax(query, c, 1) for c in to_ask]
        answers = self._ask_all(placement, relaxed, request_id)
        lines = ['query %s -> 0' % query.to_query_string()]
        findings, failed = [], 0
        for c, q, answer in zip(to_ask, relaxed, answers):
            lines.append('relaxed %s: %s -> %s'
                         % (text.label(c), q.to_query_string(),
                            _answered(answer)))
            if isinstance(answer, exception.PlacementError):
                failed += 1
            elif answer.allocation_requests:
                findings.append(text.Finding(c))
        spare = self.budget - len(to_ask)
        self._follow_up(query, placement, findings[:max(spare, 0)],
                        request_id, lines)
        reason = text.reason(query, findings, len(to_ask), total, failed)
        return reason, lines

    def _follow_up(self, query, placement, findings, request_id, lines):
        limit = self.follow_up_limit
        queries = [diagnosis.relax(query, f.constraint, limit)
                   for f in findings]
        answers = self._ask_all(placement, queries, request_id)
        for finding, q, answer in zip(findings, queries, answers):
            line = 'follow-up %s: %s -> %s' % (
                text.label(finding.constraint), q.to_query_string(),
                _answered(answer))
            if not isinstance(answer, exception.PlacementError):
                line += _count(finding, answer, limit)
            lines.append(line)


def _count(finding, answer, limit):
    """Count the hosts of a follow-up answer into ``finding``; a note."""
    c = finding.constraint
    hosts, truncated = diagnosis.count_hosts(answer, limit)
    if hosts:
        # None (not counted) if capacity went between the two queries.
        finding.hosts, finding.truncated = hosts, truncated
    if c.kind != 'resource':
        return ' (%d hosts)' % hosts
    finding.room = diagnosis.room(answer, c.value)
    return (' (%d hosts; %s on %d providers, largest free %s)'
            % (hosts, c.value, finding.room.providers,
               finding.room.largest_free))


def _answered(answer):
    if isinstance(answer, exception.PlacementError):
        return 'failed: Placement %s: %s' % (answer.kind, answer.reason)
    return '%d' % len(answer.allocation_requests)


def no_candidates(request, placement, diagnoser):
    """The NoValidHost of a query Placement had no candidate for.

    Its ``reason`` is the caller's; its ``detail`` the operator's, also
    logged here at INFO with the request id.
    """
    query = request.query
    lines = []
    try:
        with request.timed('diagnosis'):
            found = None
            if diagnoser is not None and diagnoser.budget > 0:
                found = diagnoser.explain(query, placement,
                                          request.request_id)
                busy = found is None
            else:
                busy = False
            if found is None:
                reason = text.reason(query, [], 0, 0)
                lines = ['query %s -> 0' % query.to_query_string()]
                if busy:
                    reason += ' (not diagnosed: other diagnoses running)'
                    lines.append('not diagnosed: [scheduler] '
                                 'diagnosis_concurrency reached')
            else:
                reason, lines = found
    except Exception:
        # Best effort: the refusal stands, in the plain words.
        LOG.exception('Request %s: the Placement diagnosis failed',
                      request.request_id or '-')
        reason = text.reason(query, [], 0, 0)
        lines = lines or ['query %s -> 0' % query.to_query_string()]
    detail = '%s; %s' % (reason, '; '.join(lines))
    LOG.info('Request %(id)s: no valid host: %(detail)s',
             {'id': request.request_id or '-', 'detail': detail})
    return exception.NoValidHost(reason, detail=detail)
