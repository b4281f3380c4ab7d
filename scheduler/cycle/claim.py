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

"""Step ``claim``: the first ranked host Placement accepts, and its undo.

The best host's allocation request is claimed in Placement (``PUT
/allocations/{consumer}``); on ``ClaimConflict`` the next host is tried, up
to ``[scheduler] max_claim_conflicts`` in a row. The claim is then
consumed in the host set, so the next instance of a multi-create is
filtered and weighed against what is left. A legacy caller (no instance
uuids) gets its hosts unclaimed, and so does a dry run
(``Request.dry_run``): nothing is written to Placement, the host is only
consumed locally.

When the request fails, ``undo`` releases the claims it made (a move claim
gets the consumer's previous allocations back); a release that fails is
tried again later (``scheduler.drivers.releases``).
"""

from oslo_log import log as logging

from scheduler.cycle import request as cycle_request
from scheduler import exception

LOG = logging.getLogger(__name__)


def claim(request, placement, order, index, max_conflicts):
    """Claim a host of ``order`` for instance ``index``; a ``Claimed``.

    A Placement failure other than a conflict propagates (the driver
    words it); the claim it may have written is kept in
    ``request.claimed`` first, so that ``undo`` releases it.
    """
    # A dry run claims nothing, whatever consumers it may carry.
    consumer = None if request.dry_run else request.consumer(index)
    with request.timed('claim'):
        claimed = _first_accepted(request, placement, order, consumer,
                                  max_conflicts)
    request.claimed.append(claimed)
    request.host_set.consume(claimed.index, claimed.allocation_request)
    if LOG.isEnabledFor(logging.DEBUG):
        LOG.debug('Selected %(host)s for instance %(index)d of %(count)d',
                  {'host': request.host_set.host_names[claimed.index],
                   'index': index + 1, 'count': request.count})
    return claimed


def _first_accepted(request, placement, order, consumer, max_conflicts):
    host_set, spec = request.host_set, request.spec
    move = is_move(spec)
    # Where an earlier delivery of the move would have claimed.
    foreign = (_Destinations(host_set, spec)
               if move and consumer is not None else ())
    conflicts = no_room = 0
    last = None
    # Placement's error codes name no provider: the caller may read them.
    codes = set()
    for i in order:
        if conflicts >= max_conflicts:
            reason = ('Placement refused the claim on %d hosts in a row '
                      '([scheduler] max_claim_conflicts): concurrent '
                      'requests took the capacity they showed' % conflicts)
            # Placement's last word names providers: the operator's.
            raise exception.NoValidHost(
                reason, detail='%s (last: %s)' % (reason, last))
        host = host_set.hosts[i]
        allocation_request = host.fitting_request()
        if allocation_request is None:
            # Only if Placement's summaries contradict its own
            # candidates: fail closed.
            no_room += 1
            continue
        if consumer is None:
            return cycle_request.Claimed(i, allocation_request, None)
        try:
            previous = placement.claim(
                consumer, allocation_request, spec.project_id,
                spec.user_id, request.version, move=move,
                foreign=foreign)
        except exception.ClaimConflict as e:
            held = (_held_host(host_set, e.allocations,
                               spec.ignore_hosts or ())
                    if isinstance(e, exception.ConsumerHoldsClaim) else None)
            if held is not None:
                LOG.info('Consumer %(consumer)s holds a claim on %(host)s '
                         'already (this request was delivered twice): '
                         'answering with it', {
                             'consumer': consumer,
                             'host': host_set.host_names[held]})
                # Not this delivery's claim: never released by its undo.
                return cycle_request.Claimed(
                    held, {'allocations': e.allocations}, None)
            conflicts += 1
            last = e.reason
            if e.error_code:
                codes.add(e.error_code)
            LOG.info('Claim of %(consumer)s on %(host)s refused, trying '
                     'the next host: %(reason)s',
                     {'consumer': consumer, 'host': host.host,
                      'reason': e.reason})
            continue
        except exception.PlacementError:
            # The claim may have been written before the error (a
            # timeout): released with the others.
            request.claimed.append(
                cycle_request.Claimed(i, allocation_request, consumer))
            raise
        return cycle_request.Claimed(i, allocation_request, consumer,
                                     previous)
    reason = ('none of the %d hosts that passed the filters could be '
              'claimed: %d refused by Placement%s, %d without room for the '
              'request in the provider summaries'
              % (len(order), conflicts,
                 ' (%s)' % ', '.join(sorted(codes)) if codes else '',
                 no_room))
    raise exception.NoValidHost(
        reason, detail='%s (last refusal: %s)' % (reason, last))


def is_move(spec):
    """Whether allocations the instance holds are a move's source.

    Nova's conductor moves a migration's or resize's source allocations to
    the migration's uuid before asking; only an evacuation leaves them
    with the instance, and it ignores the source host
    (``ignore_hosts``). A consumer that holds allocations for any other
    request is the same request delivered twice.
    """
    return bool(spec.ignore_hosts)


class _Destinations:
    """Root providers of the hosts a move may go to: not those it leaves.

    The claim asks only when the consumer holds allocations already, so
    the set is made then, not for every move.
    """

    def __init__(self, host_set, spec):
        self._host_set = host_set
        self._left = frozenset(spec.ignore_hosts)
        self._uuids = None

    def __contains__(self, provider):
        if self._uuids is None:
            self._uuids = frozenset(
                uuid for uuid, name in zip(self._host_set.uuids,
                                           self._host_set.host_names)
                if name not in self._left)
        return provider in self._uuids


def _held_host(host_set, allocations, ignored=()):
    """Index of a host whose tree holds ``allocations``, or None.

    Hosts named in ``ignored`` (a move's source) are not the one.
    """
    held = set(allocations)
    for i, uuid in enumerate(host_set.uuids):
        if uuid in held and host_set.host_names[i] not in ignored:
            return i
    return None


def undo(request, placement, deferred_releases):
    """Release the claims of a failed request (restore a move's)."""
    spec = request.spec
    for claimed in request.claimed:
        if claimed.consumer is None:
            continue
        if claimed.previous is not None:
            _restore(claimed, spec, placement)
            continue
        try:
            placement.release(claimed.consumer)
        except exception.PlacementError as e:
            LOG.error('Could not release the claim of %(consumer)s '
                      'after a failed request: Placement %(kind)s: '
                      '%(reason)s', {'consumer': claimed.consumer,
                                     'kind': e.kind, 'reason': e.reason})
            deferred_releases.add(
                claimed.consumer, claimed.allocation_request['allocations'])


def _restore(claimed, spec, placement):
    try:
        placement.restore(claimed.consumer, claimed.previous,
                          spec.project_id, spec.user_id)
    except exception.PlacementError as e:
        # Not retried later: the consumer's allocations then hold the
        # move's destination too, as after a failed evacuation in Nova,
        # until the instance is evacuated again or deleted.
        LOG.error('Could not put back the allocations of %(consumer)s '
                  'after a failed request: Placement %(kind)s: '
                  '%(reason)s', {'consumer': claimed.consumer,
                                 'kind': e.kind, 'reason': e.reason})
