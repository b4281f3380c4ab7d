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

"""Claim logic: body per microversion, retries, conflicts (fake client)."""

import pytest

from scheduler import exception
from scheduler.placement import claims
from scheduler.placement import client as placement_client
from scheduler.placement import versions

RP = '11111111-1111-1111-1111-111111111111'
CONSUMER = '22222222-2222-2222-2222-222222222222'
AR = {'allocations': {RP: {'resources': {'VCPU': 1, 'MEMORY_MB': 512}}},
      'mappings': {'': [RP]}}


def _conflict(code, detail='conflict'):
    return placement_client.PlacementConflict(
        'refused (409 %s): %s' % (code, detail), 'PUT',
        '/allocations/' + CONSUMER, error_code=code, detail=detail)


RACE = _conflict(claims.CONCURRENT_UPDATE, 'resource provider generation')
CAPACITY = _conflict('placement.undefined_code',
                     'Unable to allocate inventory: would exceed capacity')
CONSUMER_EXISTS = _conflict(claims.CONCURRENT_UPDATE,
                            'consumer generation conflict - expected 1 '
                            'but got None')


class FakeClient(object):
    """Answers PUTs from a script: None for success, or an exception."""

    endpoint = 'http://fake'

    def __init__(self, answers=(), max_version='1.39', held=None):
        self.answers = list(answers)
        self.max = versions.parse(max_version)
        self.held = held or {'allocations': {}}
        self.puts = []

    def supports(self, version):
        return self.max >= versions.parse(version)

    def require_version(self, version, feature=None):
        if not self.supports(version):
            raise exception.PlacementTooOld('needs %s' % version)
        return version

    def put(self, url, body, version=None, **kwargs):
        self.puts.append((url, body, version))
        answer = self.answers.pop(0) if self.answers else None
        if isinstance(answer, Exception):
            raise answer

    def get(self, url, version=None, **kwargs):
        return self.held


def _claim(client, sleeps=None, **kwargs):
    kwargs.setdefault('attempts', 4)
    kwargs.setdefault('retry_delay', 0.05)
    sleep = sleeps.append if sleeps is not None else (lambda s: None)
    return claims.claim(client, CONSUMER, AR, 'proj', 'user', sleep=sleep,
                        **kwargs)


@pytest.mark.parametrize('version,has_mappings,has_consumer_type', [
    ('1.33', False, False),
    ('1.34', True, False),
    ('1.36', True, False),
    ('1.38', True, True),
    ('1.39', True, True),
])
def test_claim_body_follows_the_microversion(version, has_mappings,
                                             has_consumer_type):
    body = claims.claim_body(AR, 'proj', 'user', version)
    assert body['allocations'] == AR['allocations']
    assert body['project_id'] == 'proj'
    assert body['user_id'] == 'user'
    assert 'consumer_generation' in body
    assert body['consumer_generation'] is None
    assert ('mappings' in body) == has_mappings
    assert body.get('consumer_type') == (
        'INSTANCE' if has_consumer_type else None)


def test_claim_does_not_change_the_allocation_request():
    client = FakeClient()
    _claim(client)
    _, body, _ = client.puts[0]
    body['allocations'][RP]['resources']['VCPU'] = 99
    assert AR['allocations'][RP]['resources']['VCPU'] == 1


@pytest.mark.parametrize('server,version', [('1.39', '1.38'),
                                            ('1.37', '1.36')])
def test_claim_negotiates_its_version(server, version):
    client = FakeClient(max_version=server)
    _claim(client)
    url, body, sent = client.puts[0]
    assert url == '/allocations/' + CONSUMER
    assert sent == version


def test_claim_on_placement_older_than_1_36_is_too_old():
    with pytest.raises(exception.PlacementTooOld):
        _claim(FakeClient(max_version='1.30'))


def test_claim_retries_concurrent_update_with_doubling_delay():
    client = FakeClient([RACE, RACE, None])
    sleeps = []
    _claim(client, sleeps)
    assert len(client.puts) == 3
    assert sleeps == [0.05, 0.1]


def test_claim_tells_each_retry_after_a_concurrent_update():
    retries = []
    _claim(FakeClient([RACE, RACE, None]),
           on_retry=lambda: retries.append(1))
    assert len(retries) == 2


def test_claim_gives_up_after_the_configured_attempts():
    client = FakeClient([RACE] * 10)
    sleeps = []
    with pytest.raises(exception.ClaimConflict) as ctx:
        _claim(client, sleeps, attempts=3, retry_delay=0.01)
    assert len(client.puts) == 3
    assert sleeps == [0.01, 0.02]
    assert '3 attempts' in ctx.value.reason


def test_capacity_conflict_is_claim_conflict_without_retry():
    client = FakeClient([CAPACITY])
    sleeps = []
    with pytest.raises(exception.ClaimConflict) as ctx:
        _claim(client, sleeps)
    assert len(client.puts) == 1
    assert sleeps == []
    assert 'would exceed capacity' in ctx.value.reason


@pytest.mark.parametrize('error', [
    exception.PlacementServerError('answered 500'),
    exception.PlacementUnreachable('unreachable'),
    exception.PlacementQueryRejected('rejected (400)'),
])
def test_other_failures_propagate_without_retry(error):
    client = FakeClient([error])
    with pytest.raises(type(error)):
        _claim(client)
    assert len(client.puts) == 1


def test_consumer_holding_this_claim_already_is_success():
    held = {'allocations': {RP: {'resources': {'VCPU': 1, 'MEMORY_MB': 512},
                                 'generation': 3}},
            'consumer_generation': 1, 'project_id': 'proj',
            'user_id': 'user'}
    client = FakeClient([CONSUMER_EXISTS], held=held)
    _claim(client)
    assert len(client.puts) == 1


def test_consumer_holding_a_source_gets_both_at_its_generation():
    source = '33333333-3333-3333-3333-333333333333'
    held = {'allocations': {source: {'resources': {'VCPU': 4},
                                     'generation': 7}},
            'consumer_generation': 5, 'project_id': 'proj',
            'user_id': 'user'}
    client = FakeClient([CONSUMER_EXISTS], held=held)
    previous = _claim(client)
    assert len(client.puts) == 2
    body = client.puts[1][1]
    assert body['consumer_generation'] == 5
    assert body['allocations'] == {
        source: {'resources': {'VCPU': 4}},
        RP: {'resources': {'VCPU': 1, 'MEMORY_MB': 512}}}
    assert previous == {'allocations': held['allocations']}


def test_consumer_holding_another_claim_outside_a_move_is_not_doubled():
    # The same boot delivered twice: the first delivery's claim stands.
    other = '33333333-3333-3333-3333-333333333333'
    held = {'allocations': {other: {'resources': {'VCPU': 1,
                                                  'MEMORY_MB': 512},
                                    'generation': 7}},
            'consumer_generation': 5, 'project_id': 'proj',
            'user_id': 'user'}
    client = FakeClient([CONSUMER_EXISTS], held=held)
    with pytest.raises(exception.ConsumerHoldsClaim) as e:
        _claim(client, move=False)
    assert e.value.allocations == held['allocations']
    assert isinstance(e.value, exception.ClaimConflict)
    # One PUT, the refused one: nothing written on top.
    assert len(client.puts) == 1


@pytest.mark.parametrize('held_dest', [
    '44444444-4444-4444-4444-444444444444',  # another destination
    RP,  # the one this delivery chose
])
def test_a_move_holding_a_destination_already_is_not_claimed_again(
        held_dest):
    # The same evacuation delivered twice: the consumer holds its source
    # and the first delivery's destination; a third host must not join.
    source = '33333333-3333-3333-3333-333333333333'
    held = {'allocations': {source: {'resources': {'VCPU': 1}},
                            held_dest: {'resources': {'VCPU': 1}}},
            'consumer_generation': 5, 'project_id': 'proj',
            'user_id': 'user'}
    client = FakeClient([CONSUMER_EXISTS], held=held)
    with pytest.raises(exception.ConsumerHoldsClaim) as e:
        _claim(client, foreign={RP, held_dest})
    assert e.value.allocations == held['allocations']
    assert held_dest in e.value.reason
    assert source not in e.value.reason
    assert len(client.puts) == 1


def test_a_move_holding_only_its_source_claims_both_given_the_foreign():
    source = '33333333-3333-3333-3333-333333333333'
    held = {'allocations': {source: {'resources': {'VCPU': 4}}},
            'consumer_generation': 5, 'project_id': 'proj',
            'user_id': 'user'}
    client = FakeClient([CONSUMER_EXISTS], held=held)
    previous = _claim(client, foreign={RP})
    assert previous == {'allocations': held['allocations']}
    assert set(client.puts[1][1]['allocations']) == {source, RP}


def test_move_claim_keeps_the_source_amounts_of_a_shared_provider():
    held = {'allocations': {RP: {'resources': {'VCPU': 4}}},
            'consumer_generation': 1, 'project_id': 'proj',
            'user_id': 'user'}
    client = FakeClient([CONSUMER_EXISTS], held=held)
    _claim(client)
    assert client.puts[1][1]['allocations'] == {
        RP: {'resources': {'VCPU': 4}}}


def test_consumer_holding_nothing_is_claimed_at_its_generation():
    held = {'allocations': {}, 'consumer_generation': 2}
    client = FakeClient([CONSUMER_EXISTS], held=held)
    assert _claim(client) is None
    assert client.puts[1][1]['consumer_generation'] == 2
    assert client.puts[1][1]['allocations'] == AR['allocations']


def test_restore_puts_back_what_the_consumer_held():
    held = {'allocations': {RP: {'resources': {'VCPU': 5}}},
            'consumer_generation': 3, 'project_id': 'proj',
            'user_id': 'user'}
    client = FakeClient(held=held)
    previous = {'allocations': {RP: {'resources': {'VCPU': 4},
                                     'generation': 1}}}
    claims.restore(client, CONSUMER, previous, 'proj', 'user')
    (url, body, version), = client.puts
    assert body == {'allocations': {RP: {'resources': {'VCPU': 4}}},
                    'consumer_generation': 3, 'project_id': 'proj',
                    'user_id': 'user'}


@pytest.mark.parametrize('project,user', [(None, 'user'), ('proj', '')])
def test_claim_without_project_or_user_is_invalid(project, user):
    client = FakeClient()
    with pytest.raises(exception.InvalidRequest):
        claims.claim(client, CONSUMER, AR, project, user)
    assert client.puts == []
