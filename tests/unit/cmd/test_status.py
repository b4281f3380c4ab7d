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

"""``scheduler-status upgrade check``: each check, and the exit codes."""

import requests

from oslo_upgradecheck import upgradecheck
import pytest

from scheduler.cmd import status
from tests.unit.placement import fakes

ENDPOINT = 'http://placement.test:8778'
ROOT_URL = ENDPOINT + '/'
CLASSES_URL = ENDPOINT + '/resource_classes'
Code = upgradecheck.Code


def _root(max_version):
    return {'versions': [{'id': 'v1.0', 'max_version': max_version,
                          'min_version': '1.0', 'status': 'CURRENT'}]}


@pytest.fixture
def conf():
    return fakes.make_conf(ENDPOINT, connect_retries=0,
                           status_code_retries=0)


@pytest.fixture(autouse=True)
def clean_global_conf():
    yield
    status.CONF.reset()
    status.CONF.clear()
    # main() registers the "upgrade check" sub-command on the global
    # config; left there, it is a required argument of every later parse.
    if 'command' in status.CONF:
        status.CONF.unregister_opt(status.CONF._opts['command']['opt'])


def test_placement_that_answers_is_reachable(conf, requests_mock):
    requests_mock.get(ROOT_URL, json=_root('1.39'))

    assert status.check_placement_reachable(conf).code == Code.SUCCESS


def test_unreachable_placement_fails_naming_the_endpoint(
        conf, requests_mock):
    requests_mock.get(ROOT_URL, exc=requests.exceptions.ConnectionError(
        '[Errno 111] Connection refused'))

    found = status.check_placement_reachable(conf)

    assert found.code == Code.FAILURE
    assert 'unreachable' in found.details and ENDPOINT in found.details


@pytest.mark.parametrize('code', [401, 403])
def test_refused_credentials_fail_the_auth_check(conf, requests_mock, code):
    requests_mock.get(CLASSES_URL, status_code=code, json={'errors': [
        {'status': code, 'title': 'x', 'detail': 'no'}]})

    found = status.check_placement_auth(conf)

    assert found.code == Code.FAILURE
    assert 'refused the credentials' in found.details
    assert 'admin_token' in found.details


def test_accepted_credentials_pass_the_auth_check(conf, requests_mock):
    requests_mock.get(CLASSES_URL, json={'resource_classes': []})

    assert status.check_placement_auth(conf).code == Code.SUCCESS


@pytest.mark.parametrize('max_version,expected', [
    ('1.30', Code.FAILURE),
    ('1.36', Code.WARNING),
    ('1.39', Code.SUCCESS),
])
def test_microversion_check(conf, requests_mock, max_version, expected):
    requests_mock.get(ROOT_URL, json=_root(max_version))

    found = status.check_placement_version(conf)

    assert found.code == expected
    assert max_version in found.details


def _load_config(tmp_path, text):
    path = tmp_path / 'scheduler.conf'
    path.write_text(text)
    status.CONF(['--config-file', str(path)], default_config_files=[],
                default_config_dirs=[])


def test_message_bus_that_refuses_connections_fails_without_password(
        tmp_path):
    _load_config(tmp_path, '[DEFAULT]\ntransport_url = '
                 'rabbit://user:s3cret-pw@127.0.0.1:1/\n')

    found = status.check_message_bus(status.CONF)

    assert found.code == Code.FAILURE
    assert '127.0.0.1:1' in found.details
    assert 's3cret-pw' not in found.details


def test_message_bus_of_another_driver_is_a_warning(tmp_path):
    _load_config(tmp_path, '[DEFAULT]\ntransport_url = fake://\n')

    assert status.check_message_bus(status.CONF).code == Code.WARNING


def test_unknown_plugin_fails_naming_it():
    status.CONF([], default_config_files=[], default_config_dirs=[])
    status.CONF.set_override('enabled_filters', ['NoSuchFilter'],
                             group='filter_scheduler')

    found = status.check_plugins(status.CONF)

    assert found.code == Code.FAILURE
    assert 'NoSuchFilter' in found.details


def test_a_check_that_raises_is_a_failure(monkeypatch):
    def broken(conf):
        raise KeyError('x')
    monkeypatch.setattr(status, '_CHECKS', [('Broken', broken)])

    [(name, func)] = status.Checks()._upgrade_checks
    found = func(status.Checks())

    assert (name, found.code) == ('Broken', Code.FAILURE)
    assert 'KeyError' in found.details


@pytest.mark.parametrize('codes,exit_code', [
    ([Code.SUCCESS, Code.SUCCESS], 0),
    ([Code.SUCCESS, Code.WARNING], 1),
    ([Code.WARNING, Code.FAILURE, Code.SUCCESS], 2),
])
def test_exit_code_is_the_worst_result(monkeypatch, tmp_path, capsys,
                                       codes, exit_code):
    checks = [('check %d' % i,
               lambda conf, code=code: upgradecheck.Result(code))
              for i, code in enumerate(codes)]
    monkeypatch.setattr(status, '_CHECKS', checks)
    path = tmp_path / 'scheduler.conf'
    path.write_text('[DEFAULT]\ntransport_url = fake://\n')

    assert status.main(['--config-file', str(path), 'upgrade',
                        'check']) == exit_code
    assert 'check %d' % (len(codes) - 1) in capsys.readouterr().out


def test_unreadable_config_exits_255(tmp_path, capsys):
    path = tmp_path / 'scheduler.conf'
    path.write_text('this is not an ini file\n')

    assert status.main(['--config-file', str(path), 'upgrade',
                        'check']) == 255
    assert 'scheduler-status' in capsys.readouterr().err


def test_adding_a_check_is_one_decorated_function(monkeypatch):
    monkeypatch.setattr(status, '_CHECKS', list(status._CHECKS))

    @status.check('Host facts source')
    def check_host_facts(conf):
        return upgradecheck.Result(Code.SUCCESS)

    names = [name for name, _ in status.Checks()._upgrade_checks]
    assert names[-1] == 'Host facts source'
    assert names[:6] == ['Configuration options', 'Placement API reachable',
                         'Placement API authentication',
                         'Placement API microversion', 'Message bus',
                         'Scheduler plugins']
