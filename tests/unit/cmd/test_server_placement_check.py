"""scheduler-server's start-up check of ``[placement]``."""

import logging

import pytest
import requests

from scheduler.cmd import server as server_cmd
from tests.unit.placement import fakes

ENDPOINT = 'http://placement.test:8778'
URL = ENDPOINT + '/resource_classes'


@pytest.fixture
def conf():
    return fakes.make_conf(ENDPOINT, connect_retries=0,
                           status_code_retries=0)


def test_credentials_placement_refuses_stop_the_service(conf,
                                                        requests_mock):
    requests_mock.get(URL, status_code=403, json={'errors': [
        {'status': 403, 'detail': 'Access was denied'}]})

    with pytest.raises(server_cmd.StartupError) as err:
        server_cmd.check_placement(conf)

    assert 'refused the [placement] credentials' in str(err.value)
    assert 'admin_token' in str(err.value)


def test_unknown_auth_plugin_stops_the_service_naming_it(conf):
    conf.set_override('auth_type', 'no_such_plugin', group='placement')

    with pytest.raises(server_cmd.StartupError) as err:
        server_cmd.check_placement(conf)

    assert '[placement] auth_type no_such_plugin' in str(err.value)


def test_unreachable_placement_is_one_warning_naming_it(conf, requests_mock,
                                                        caplog):
    requests_mock.get(URL, exc=requests.exceptions.ConnectionError(
        '[Errno 111] Connection refused'))
    caplog.set_level(logging.DEBUG)

    server_cmd.check_placement(conf)

    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.levelname for r in problems] == ['WARNING']
    assert ENDPOINT in problems[0].getMessage()
    assert 'unreachable' in problems[0].getMessage()


def test_reachable_placement_that_accepts_us_is_silent(conf, requests_mock,
                                                       caplog):
    requests_mock.get(URL, json={'resource_classes': []})

    server_cmd.check_placement(conf)

    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
