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

"""Claims: ``PUT /allocations/{consumer}`` of one allocation request.

A claim is what makes a choice safe when several schedulers run at once:
Placement checks capacity and generations in one transaction. A claim for
a new consumer states ``consumer_generation: null``; Placement answers 409
``placement.concurrent_update`` when another writer changed a provider or
the consumer first (retried here, with a doubling delay), and another 409
when the capacity is gone (``ClaimConflict``: the caller tries the next
host).
"""

import copy
import time

from oslo_log import log as logging

from scheduler import exception
from scheduler.placement import client as placement_client
from scheduler.placement import versions

LOG = logging.getLogger(__name__)

CONCURRENT_UPDATE = 'placement.concurrent_update'
CONSUMER_TYPE_INSTANCE = 'INSTANCE'
# Placement's detail when the consumer is not at the generation we stated.
_CONSUMER_CONFLICT = 'consumer generation conflict'


def _url(consumer_uuid):
    return '/allocations/%s' % consumer_uuid


def claim_version(client):
    """The microversion to claim with.

    1.38 (consumer types) if the server has it, else 1.36; PlacementTooOld
    below that.
    """
    if client.supports(versions.CLAIM_PREFERRED):
        return versions.CLAIM_PREFERRED
    return client.require_version(versions.CLAIM_MINIMUM, 'PUT /allocations')


def claim_body(allocation_request, project_id, user_id, version,
               consumer_type=CONSUMER_TYPE_INSTANCE):
    """The PUT /allocations body of a new consumer at ``version``."""
    body = {
        'allocations': copy.deepcopy(allocation_request['allocations']),
        'project_id': project_id,
        'user_id': user_id,
        'consumer_generation': None,
    }
    mappings = allocation_request.get('mappings')
    if mappings and versions.at_least(
            version, versions.FEATURES['allocation_mappings']):
        body['mappings'] = copy.deepcopy(mappings)
    if versions.at_least(version, versions.FEATURES['consumer_type']):
        body['consumer_type'] = consumer_type
    return body


def _resources(allocations):
    return {rp: dict(alloc.get('resources', {}))
            for rp, alloc in (allocations or {}).items()}


def _holds(current, body):
    """True if the consumer already holds exactly what ``body`` asks for.

    That is an earlier attempt of this claim that went through and whose
    answer was lost.
    """
    return (_resources(current.get('allocations')) ==
            _resources(body['allocations']) and
            current.get('project_id') == body['project_id'])


def move_body(body, current, generation):
    """``body`` for a consumer that holds ``current`` already: both at once.

    As Nova claims a non-forced evacuation: the instance keeps its source
    allocations under its own uuid until the move is confirmed, so the
    claim writes the source's and the destination's together, stating the
    consumer's ``generation``. Providers the source holds already (a
    sharing provider) keep the source's amounts.
    """
    moved = dict(body)
    allocations = _resources(current['allocations'])
    for rp, alloc in body['allocations'].items():
        if rp not in allocations:
            allocations[rp] = dict(alloc.get('resources', {}))
    moved['allocations'] = {rp: {'resources': resources}
                            for rp, resources in allocations.items()}
    moved['consumer_generation'] = generation
    return moved


def claim(client, consumer_uuid, allocation_request, project_id, user_id,
          version=None, attempts=4, retry_delay=0.05,
          consumer_type=CONSUMER_TYPE_INSTANCE, global_request_id=None,
          sleep=time.sleep, on_retry=None, move=True, foreign=()):
    """Claim ``allocation_request`` for ``consumer_uuid``.

    The claim is first written for a new consumer. If the consumer exists
    (Placement answers that its generation is not null), its allocations
    are read: an earlier attempt of this very claim is taken as done; a
    consumer holding other allocations (the source of an evacuation) gets
    them and the new ones together, at its generation (``move_body``); a
    consumer holding nothing gets the new ones at its generation.

    :returns: None, or the allocations the consumer held before (then
        ``restore`` undoes the claim rather than ``release``).

    :param allocation_request: one of ``Candidates.allocation_requests``.
    :param version: microversion of the PUT (``mappings`` are sent from
        1.34, ``consumer_type`` from 1.38); None asks ``claim_version``.
    :param attempts: how many PUTs at most when Placement answers
        ``placement.concurrent_update`` (``[scheduler] claim_attempts``).
    :param retry_delay: seconds before the first retry, doubled for each
        next one (``[scheduler] claim_retry_delay``).
    :param on_retry: None, or called before each retry after
        ``placement.concurrent_update`` (the metrics count them).
    :param move: whether allocations the consumer holds are a move's
        source (an evacuation); if not, holding other allocations raises
        ``ConsumerHoldsClaim`` (a repeated delivery of the same request).
    :param foreign: providers a move's source does not hold (the hosts the
        move may go to): a consumer holding one holds the claim of an
        earlier delivery of the same move, and ``ConsumerHoldsClaim`` is
        raised as outside a move, rather than a third host claimed.
    :raises ClaimConflict: Placement refused for capacity, the consumer
        holds other allocations, or the races outlasted ``attempts``.
    :raises PlacementError: any other failure of the call.
    """
    if not project_id or not user_id:
        raise exception.InvalidRequest(
            'a claim for consumer %s needs a project_id and a user_id'
            % consumer_uuid)
    if version is None:
        version = claim_version(client)
    else:
        client.require_version(version, 'PUT /allocations')
    new_body = body = claim_body(allocation_request, project_id, user_id,
                                 version, consumer_type)
    providers = ', '.join(sorted(body['allocations']))
    previous = None
    delay = retry_delay
    for attempt in range(1, attempts + 1):
        try:
            client.put(_url(consumer_uuid), body, version,
                       global_request_id=global_request_id)
            if LOG.isEnabledFor(logging.DEBUG):
                LOG.debug('Claimed %s on %s for consumer %s (attempt %d)',
                          _resources(body['allocations']), providers,
                          consumer_uuid, attempt)
            return previous
        except placement_client.PlacementConflict as e:
            conflict = e
        if conflict.error_code != CONCURRENT_UPDATE:
            # The driver logs the refusal with the host it moves past.
            LOG.debug('Placement refused the claim of consumer %s on %s: %s',
                      consumer_uuid, providers, conflict.detail)
            raise exception.ClaimConflict(
                'Placement refused the claim of consumer %s on %s: %s'
                % (consumer_uuid, providers, conflict.detail),
                error_code=conflict.error_code)
        if _CONSUMER_CONFLICT in (conflict.detail or ''):
            current = get_allocations(client, consumer_uuid, version,
                                      global_request_id=global_request_id)
            if _holds(current, new_body):
                LOG.info('Consumer %s already holds this claim on %s',
                         consumer_uuid, providers)
                return previous
            held = current.get('allocations')
            if held and previous is None:
                if not move:
                    raise exception.ConsumerHoldsClaim(
                        'consumer %s already holds a claim on %s and the '
                        'request is no move: a repeated delivery'
                        % (consumer_uuid, ', '.join(sorted(held))), held)
                claimed = sorted(rp for rp in held if rp in foreign)
                if claimed:
                    raise exception.ConsumerHoldsClaim(
                        'consumer %s holds a claim on %s besides the '
                        'source of its move: a repeated delivery'
                        % (consumer_uuid, ', '.join(claimed)), held)
                previous = {'allocations': held}
            generation = current.get('consumer_generation')
            body = (move_body(new_body, previous, generation) if previous
                    else dict(new_body, consumer_generation=generation))
            if previous:
                LOG.debug('Consumer %s holds allocations on %s already: '
                          'claiming both (a move)', consumer_uuid,
                          ', '.join(sorted(previous['allocations'])))
            # Not an attempt lost to a race: try again at once.
            continue
        if attempt < attempts:
            LOG.debug('Claim of consumer %s on %s raced another writer '
                      '(attempt %d of %d); retrying in %.3fs', consumer_uuid,
                      providers, attempt, attempts, delay)
            if on_retry is not None:
                on_retry()
            sleep(delay)
            delay *= 2
    LOG.warning('Claim of consumer %s on %s gave up after %d attempts: '
                'Placement kept answering %s', consumer_uuid, providers,
                attempts, CONCURRENT_UPDATE)
    raise exception.ClaimConflict(
        'Placement kept answering %s to the claim of consumer %s on %s '
        '(%d attempts)' % (CONCURRENT_UPDATE, consumer_uuid, providers,
                           attempts),
        error_code=CONCURRENT_UPDATE)


def release(client, consumer_uuid, global_request_id=None):
    """Remove every allocation of ``consumer_uuid``.

    Returns False if it had none (404 is not an error here).
    """
    try:
        client.delete(_url(consumer_uuid),
                      versions.FEATURES['consumer_generation'],
                      global_request_id=global_request_id)
    except placement_client.PlacementNotFound:
        LOG.debug('Consumer %s had no allocations to release',
                  consumer_uuid)
        return False
    LOG.debug('Released the allocations of consumer %s', consumer_uuid)
    return True


def restore(client, consumer_uuid, previous, project_id, user_id,
            global_request_id=None):
    """Put back the allocations a consumer held before a move claim.

    :param previous: what ``claim`` returned.
    :raises: PlacementError (a conflict included: the consumer changed).
    """
    version = versions.FEATURES['consumer_generation']
    current = get_allocations(client, consumer_uuid, version,
                              global_request_id=global_request_id)
    body = {'allocations': {rp: {'resources': dict(a.get('resources', {}))}
                            for rp, a in previous['allocations'].items()},
            'consumer_generation': current.get('consumer_generation'),
            'project_id': current.get('project_id') or project_id,
            'user_id': current.get('user_id') or user_id}
    client.put(_url(consumer_uuid), body, version,
               global_request_id=global_request_id)
    LOG.debug('Consumer %s holds its allocations of before the claim again',
              consumer_uuid)


RELEASED = 'released'
ABSENT = 'absent'
CHANGED = 'changed'


def release_if_unchanged(client, consumer_uuid, allocations,
                         global_request_id=None):
    """Remove ``consumer_uuid``'s allocations if they are ``allocations``.

    For a claim whose release failed: by the time this runs, the caller
    may have retried and another claim been written for the same
    consumer; that one is left alone. The removal states the consumer
    generation read (``PUT`` of no allocations, as Nova removes an
    instance's), so a write in between makes it refuse rather than remove.

    :param allocations: ``{rp_uuid: {"resources": {rc: n}}}`` claimed.
    :returns: RELEASED, ABSENT (nothing held) or CHANGED (the consumer
        holds something else, or was written meanwhile).
    :raises: PlacementError when Placement cannot be asked.
    """
    version = versions.FEATURES['consumer_generation']
    current = get_allocations(client, consumer_uuid, version,
                              global_request_id=global_request_id)
    if not current.get('allocations'):
        return ABSENT
    if _resources(current['allocations']) != _resources(allocations):
        return CHANGED
    body = {'allocations': {},
            'consumer_generation': current.get('consumer_generation'),
            'project_id': current.get('project_id'),
            'user_id': current.get('user_id')}
    try:
        client.put(_url(consumer_uuid), body, version,
                   global_request_id=global_request_id)
    except placement_client.PlacementConflict as e:
        LOG.info('Allocations of consumer %(consumer)s changed while being '
                 'released; left alone: %(detail)s',
                 {'consumer': consumer_uuid, 'detail': e.detail})
        return CHANGED
    return RELEASED


def get_allocations(client, consumer_uuid, version=None,
                    global_request_id=None):
    """``GET /allocations/{consumer}``.

    ``{"allocations": {rp: {"resources": {...}, "generation": n}},
    "consumer_generation", "project_id", "user_id"}``; empty allocations
    for an unknown consumer.
    """
    body = client.get(_url(consumer_uuid),
                      version or versions.CLAIM_MINIMUM,
                      global_request_id=global_request_id)
    return body or {'allocations': {}}
