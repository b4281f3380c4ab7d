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

"""No secret reaches the service's logs or a caller, even at DEBUG.

The secrets are unique to the test, so finding any of them anywhere is a
leak: the caller's ``auth_token`` and ``service_catalog`` (in every
context), the ``[placement]`` token the service talks to Placement with
(noauth2 takes ``admin:<anything>`` as an admin token), and the broker's
password (in ``transport_url``). The service answers a request that
succeeds, one refused for want of room and one during a Placement outage;
its log file and stdout must then show the request path at DEBUG and none
of the secrets.
"""

import re
import secrets

import pytest

from scheduler import exception
from scheduler.sim import cloud
from tests.fixtures import cloud_hosts
from tests.functional import helpers

# Library loggers a deployer may turn to DEBUG while chasing a problem.
LIBRARY_DEBUG = ','.join('%s=DEBUG' % name for name in (
    'keystoneauth', 'urllib3', 'requests', 'oslo_messaging',
    'oslo.messaging', 'amqp', 'kombu', 'stevedore', 'oslo_service',
    'cotyledon'))


class TokenRecorder:
    """WSGI middleware: the X-Auth-Token of every request Placement gets."""

    def __init__(self, app):
        self.app = app
        self.tokens = set()

    def __call__(self, environ, start_response):
        self.tokens.add(environ.get('HTTP_X_AUTH_TOKEN'))
        return self.app(environ, start_response)


def make_secrets(broker):
    tag = secrets.token_hex(8)
    placement_hex = secrets.token_hex(12)
    return {
        'auth_token': 'ctx-token-%s' % secrets.token_hex(12),
        'catalog url': 'https://catalog-%s.example.org:8776/v3' % tag,
        'catalog marker': 'catalog-marker-%s' % secrets.token_hex(8),
        'placement token': 'admin:secret-%s' % placement_hex,
        'placement token secret part': placement_hex,
        'broker password': broker.password,
    }


def service_catalog(values):
    """A service catalog as Nova's context carries it."""
    return [{'type': 'volumev3', 'name': 'cinderv3',
             'endpoints': [{'region': 'RegionOne',
                            'id': values['catalog marker'],
                            'publicURL': values['catalog url'],
                            'internalURL': values['catalog url']}]}]


def call(client, values, spec, instance_uuids):
    """select_destinations with a fresh context carrying the secrets.

    Returns ``(request_id, result or NoValidHost)``.
    """
    ctxt = helpers.context(auth_token=values['auth_token'],
                           service_catalog=service_catalog(values))
    try:
        result = client.select_destinations(
            ctxt, spec, instance_uuids, return_objects=True)
    except exception.NoValidHost as e:
        result = e
    return ctxt['request_id'], result


def caller_texts(error):
    """Every text a caller can read from a refusal, its cause included."""
    texts = [str(error), error.reason]
    cause = error.__cause__
    if cause is not None:
        texts += [str(cause), repr(cause)]
        texts += [str(getattr(cause, name, ''))
                  for name in ('value', 'traceback', 'kwargs')]
    return texts


def debug_lines(logs, request_id):
    return [line for line in logs.splitlines()
            if ' DEBUG ' in line and request_id in line]


@pytest.mark.parametrize('library_debug', [False, True],
                         ids=['service-debug', 'library-debug-too'])
def test_secrets_never_reach_logs_or_callers(
        placement, broker, scheduler_factory, client, library_debug):
    values = make_secrets(broker)
    # Wrap the running Placement's WSGI application (kept across stop and
    # start) to see which token the service sends.
    recorder = TokenRecorder(placement._app)
    placement._app = recorder
    cloud.create_hosts(placement.endpoint,
                       cloud_hosts.make_hosts(2, vcpus=2, memory_mb=4096))
    extra = {'placement': {'token': values['placement token']}}
    if library_debug:
        extra['DEFAULT'] = {'default_log_levels': LIBRARY_DEBUG}
    proc = scheduler_factory(extra_conf=extra)

    # 1. Success: the configured token is what reached Placement.
    [instance] = helpers.uuids(1)
    ok_id, result = call(client, values, helpers.spec(), [instance])
    assert not isinstance(result, Exception), result
    assert list(helpers.allocations(placement, instance)) == [
        result[0][0].compute_node_uuid]
    assert values['placement token'] in recorder.tokens

    # 2. Refused: no host has 64 VCPUs.
    full_id, full = call(client, values, helpers.spec(vcpus=64),
                         helpers.uuids(1))
    assert isinstance(full, exception.NoValidHost), full

    # 3. Placement is down.
    placement.stop()
    try:
        down_id, down = call(client, values, helpers.spec(),
                             helpers.uuids(1))
    finally:
        placement.start()
    assert isinstance(down, exception.NoValidHost), down
    assert 'unreachable' in down.reason

    logs = proc.logs()
    # The log is not empty: it shows the request path of every call at
    # DEBUG, the outage at ERROR and the masked configuration.
    for request_id in (ok_id, full_id, down_id):
        assert any('select_destinations:' in line
                   for line in debug_lines(logs, request_id)), request_id
    assert debug_lines(logs, ok_id)[1:], 'only one DEBUG line for a success'
    assert re.search(r' ERROR .*%s.*Placement' % down_id, logs)
    assert re.search(r'transport_url\s+= \*\*\*\*', logs)
    if library_debug:
        assert re.search(r' DEBUG (oslo_messaging|oslo\.messaging|amqp)',
                         logs), 'library DEBUG logging is not on'
        # keystoneauth logs every Placement request, the token hashed.
        assert 'X-Auth-Token: {SHA256}' in logs

    texts = caller_texts(full) + caller_texts(down)
    assert 'No valid host' in texts[0]
    places = [('log', logs)] + [('caller', text) for text in texts]
    leaks = ['%s in %s' % (name, where)
             for name, secret in values.items()
             for where, text in places if secret in text]
    assert not leaks, 'secrets leaked: %s' % ', '.join(sorted(set(leaks)))
