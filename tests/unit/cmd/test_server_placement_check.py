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
