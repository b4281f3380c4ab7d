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

"""Client fault matrix: every failure of a call is a typed PlacementError.

Placement is faked with requests-mock at the HTTP level, so keystoneauth's
own retry and error handling run for real.
"""

import logging
import threading

from keystoneauth1 import loading as ks_loading
from oslo_context import context as oslo_context
import pytest
import requests

from scheduler import exception
from scheduler.placement import client as placement_client
from tests.unit.placement import fakes

ENDPOINT = 'http://placement.test:8778'
URL = ENDPOINT + '/resource_providers'
ROOT = {'versions': [{'id': 'v1.0', 'max_version': '1.39',
                      'min_version': '1.0', 'status': 'CURRENT'}]}


def _error(status, detail, code='placement.undefined_code'):
    return {'errors': [{'status': status, 'title': 'x', 'code': code,
                        'detail': detail, 'request_id': 'req-1'}]}


@pytest.fixture
def conf():
    return fakes.make_conf(ENDPOINT)


@pytest.fixture
def client(conf):
    return placement_client.PlacementClient(conf)


# (case, how the fake answers, error class, words the reason must carry)
FAULTS = [
    ('connection refused',
     {'exc': requests.exceptions.ConnectionError('[Errno 111] refused')},
     exception.PlacementUnreachable,
     'Placement at %s is unreachable (GET /resource_providers): '
     '[Errno 111] refused' % ENDPOINT),
    ('TLS failure',
     {'exc': requests.exceptions.SSLError('bad certificate')},
     exception.PlacementUnreachable, 'is unreachable'),
    ('connect timeout',
     {'exc': requests.exceptions.ConnectTimeout('slow')},
     exception.PlacementTimeout,
     'Placement at %s timed out after 10s' % ENDPOINT),
    ('read timeout',
     {'exc': requests.exceptions.ReadTimeout('slow')},
     exception.PlacementTimeout, 'timed out after 10s'),
    ('500',
     {'status_code': 500, 'json': _error(500, 'boom')},
     exception.PlacementServerError, 'answered 500 to GET '
     '/resource_providers: boom'),
    ('503 after retries',
     {'status_code': 503, 'text': 'Service Unavailable'},
     exception.PlacementServerError, 'answered 503'),
    ('400',
     {'status_code': 400, 'json': _error(400, 'Invalid query string '
                                              'parameters')},
     exception.PlacementQueryRejected,
     'rejected the query (400) GET /resource_providers: Invalid query'),
    ('403',
     {'status_code': 403, 'json': _error(403, 'Policy does not allow')},
     exception.PlacementQueryRejected, 'rejected the query (403)'),
    ('404',
     {'status_code': 404, 'json': _error(404, 'No such provider')},
     placement_client.PlacementNotFound, 'No such provider'),
    ('409',
     {'status_code': 409, 'json': _error(409, 'generation',
                                         'placement.concurrent_update')},
     placement_client.PlacementConflict,
     '409 placement.concurrent_update'),
    ('406 microversion',
     {'status_code': 406, 'json': _error(406, 'Unacceptable version')},
     exception.PlacementTooOld, 'does not accept microversion 1.36'),
    ('408',
     {'status_code': 408, 'text': ''},
     exception.PlacementTimeout, 'timed out (408)'),
    ('200 that is not JSON',
     {'status_code': 200, 'text': '<html>proxy</html>'},
     exception.PlacementBadResponse, 'body that is not JSON'),
    ('error body that is not JSON',
     {'status_code': 502, 'text': 'Bad Gateway from the proxy'},
     exception.PlacementServerError, 'Bad Gateway from the proxy'),
]


@pytest.mark.parametrize('case,answer,error,words', FAULTS,
                         ids=[f[0] for f in FAULTS])
def test_failed_call_raises_typed_error_naming_it(
        client, requests_mock, case, answer, error, words):
    requests_mock.get(URL, **answer)
    with pytest.raises(error) as ctx:
        client.get('/resource_providers', '1.36')
    assert words in ctx.value.reason
    assert ctx.value.method == 'GET'
    assert ctx.value.url == '/resource_providers'


def test_failure_is_logged_once_at_error_despite_retries(
        client, requests_mock, caplog):
    requests_mock.get(URL, status_code=503, text='down')
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(exception.PlacementServerError):
            client.get('/resource_providers', '1.36')
    # keystoneauth retried ([placement] status_code_retries = 3) ...
    assert requests_mock.call_count == 4
    # ... and the failure shows once at ERROR.
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert 'answered 503' in errors[0].getMessage()


def test_connection_failures_are_retried_by_keystoneauth(
        client, requests_mock):
    requests_mock.get(URL, [
        {'exc': requests.exceptions.ConnectionError('refused')},
        {'exc': requests.exceptions.ConnectionError('refused')},
        {'json': {'resource_providers': []}}])
    assert client.get('/resource_providers') == {'resource_providers': []}
    assert requests_mock.call_count == 3


def test_expected_answers_are_not_logged_as_errors(
        client, requests_mock, caplog):
    requests_mock.get(URL, status_code=404, json=_error(404, 'gone'))
    with pytest.raises(placement_client.PlacementNotFound):
        client.get('/resource_providers')
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_success_returns_parsed_json_or_none(client, requests_mock):
    requests_mock.get(URL, json={'resource_providers': []})
    requests_mock.delete(ENDPOINT + '/allocations/c1', status_code=204)
    assert client.get('/resource_providers') == {'resource_providers': []}
    assert client.delete('/allocations/c1') is None


def test_request_sends_microversion_token_and_body(client, requests_mock):
    requests_mock.put(ENDPOINT + '/traits/CUSTOM_A', status_code=201)
    client.put('/traits/CUSTOM_A', {'k': 'v'}, '1.38')
    sent = requests_mock.last_request
    assert sent.headers['OpenStack-API-Version'] == 'placement 1.38'
    assert sent.headers['X-Auth-Token'] == 'admin'
    assert sent.json() == {'k': 'v'}


def test_every_call_carries_the_callers_global_request_id(
        client, requests_mock):
    requests_mock.get(URL, json={'resource_providers': []})
    oslo_context.RequestContext(request_id='req-local',
                                global_request_id='req-global')
    client.get('/resource_providers')
    assert requests_mock.last_request.headers[
        'X-OpenStack-Request-ID'] == 'req-global'
    # No global id: the caller's own request id, as Nova's client sends.
    oslo_context.RequestContext(
        request_id='req-aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa')
    client.get('/resource_providers')
    assert requests_mock.last_request.headers[
        'X-OpenStack-Request-ID'] == 'req-aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa'


def test_token_is_never_logged(requests_mock, caplog):
    conf = fakes.make_conf(ENDPOINT, token='s3cr3t-t0ken')
    client = placement_client.PlacementClient(conf)
    requests_mock.get(URL, status_code=500, json=_error(500, 'boom'))
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(exception.PlacementServerError):
            client.get('/resource_providers')
    assert requests_mock.last_request.headers['X-Auth-Token'] == (
        's3cr3t-t0ken')
    assert 'X-Auth-Token' in caplog.text  # keystoneauth logged the request
    assert 's3cr3t-t0ken' not in caplog.text


def test_failed_authentication_is_unreachable_without_password(
        requests_mock, caplog):
    conf = fakes.make_conf(ENDPOINT)
    conf.register_opts(ks_loading.get_auth_plugin_conf_options('v3password'),
                       group='placement')
    for name, value in {'auth_type': 'v3password',
                        'auth_url': 'http://keystone.test/v3',
                        'username': 'scheduler', 'password': 'pa55w0rd',
                        'user_domain_name': 'Default',
                        'project_name': 'service',
                        'project_domain_name': 'Default'}.items():
        conf.set_override(name, value, group='placement')
    requests_mock.post('http://keystone.test/v3/auth/tokens',
                       status_code=401, json={'error': {'code': 401}})
    client = placement_client.PlacementClient(conf)
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(exception.PlacementUnreachable) as ctx:
            client.get('/resource_providers')
    assert 'authentication or endpoint lookup failed' in ctx.value.reason
    assert 'pa55w0rd' not in caplog.text


def test_unknown_auth_plugin_names_the_option_group(requests_mock):
    conf = fakes.make_conf(ENDPOINT, auth_type='no-such-plugin')
    with pytest.raises(exception.PlacementError) as ctx:
        placement_client.PlacementClient(conf).get('/')
    assert 'from the [placement] options' in ctx.value.reason
    assert requests_mock.call_count == 0


def test_endpoint_in_messages_has_no_credentials(requests_mock):
    conf = fakes.make_conf('http://user:pw@placement.test:8778/placement')
    requests_mock.get('http://user:pw@placement.test:8778/placement/',
                      status_code=500)
    client = placement_client.PlacementClient(conf)
    with pytest.raises(exception.PlacementServerError) as ctx:
        client.get('/')
    assert 'http://placement.test:8778/placement ' in ctx.value.reason
    assert 'pw' not in ctx.value.reason


def test_max_version_is_discovered_once(client, requests_mock):
    requests_mock.get(ENDPOINT + '/', json=ROOT)
    assert client.max_version() == (1, 39)
    assert client.max_version() == (1, 39)
    assert requests_mock.call_count == 1


def test_max_version_is_rediscovered_after_a_failure(client, requests_mock):
    requests_mock.get(ENDPOINT + '/', json=ROOT)
    requests_mock.get(URL, exc=requests.exceptions.ConnectTimeout)
    client.max_version()
    with pytest.raises(exception.PlacementTimeout):
        client.get('/resource_providers')
    requests_mock.get(ENDPOINT + '/', json={'versions': [
        {'max_version': '1.36'}]})
    assert client.max_version() == (1, 36)


def test_root_without_max_version_is_a_bad_response(client, requests_mock):
    requests_mock.get(ENDPOINT + '/', json={'versions': []})
    with pytest.raises(exception.PlacementBadResponse):
        client.max_version()


def test_adapter_is_built_once_under_concurrent_first_use(
        client, requests_mock, monkeypatch):
    built = []
    real = placement_client.ks_loading.load_adapter_from_conf_options

    def counting(*args, **kwargs):
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(placement_client.ks_loading,
                        'load_adapter_from_conf_options', counting)
    requests_mock.get(URL, json={})
    threads = [threading.Thread(target=client.get,
                                args=('/resource_providers',))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1
    assert requests_mock.call_count == 8
