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

"""No secret in any log line or answer of the whole fault matrix.

Every call of the suite carries a context with the suite's ``auth_token``
and a service catalog, every server talks to Placement with a secret
token and to RabbitMQ with a secret password (in ``transport_url``), and
runs at DEBUG. This module adds a server with library DEBUG logging too,
and one with ``[placement] auth_type = password`` and a secret password
(whose Keystone cannot be reached). It runs last: it reads every log file
the suite wrote and every text a caller was answered with.
"""

import os

from scheduler.sim import cloud
from tests.faults import checks
from tests.faults import matrix
from tests.faults import settings
from tests.fixtures import cloud_hosts
from tests.fixtures import fault_proxy
from tests.functional import helpers

LIBRARY_DEBUG = ','.join('%s=DEBUG' % name for name in (
    'keystoneauth', 'urllib3', 'requests', 'oslo_messaging',
    'oslo.messaging', 'amqp', 'kombu', 'stevedore', 'oslo_service',
    'cotyledon'))


def test_library_debug_and_password_auth(placement, proxy, server_factory,
                                         client):
    hosts = cloud_hosts.make_hosts(1, vcpus=2, prefix='secret')
    cloud.create_hosts(placement.endpoint, hosts)
    proc = server_factory(host='sched-secrets', extra_conf={
        'DEFAULT': {'default_log_levels': LIBRARY_DEBUG}})
    ok = checks.call(client)
    full = checks.call(client, spec=helpers.spec(vcpus=64))
    proxy.inject(fault_proxy.Fault('status', 500))
    failed = checks.call(client)
    proxy.clear()
    password_proc = server_factory(host='sched-password', extra_conf={
        'placement': {'auth_type': 'password',
                      'auth_url': 'http://127.0.0.1:9/identity/v3',
                      'username': 'scheduler', 'user_domain_id': 'default',
                      'project_name': 'service',
                      'project_domain_id': 'default',
                      'password': settings.SECRETS['placement password']}})
    password_proc.stop()
    outcomes = [ok, full, failed]
    checks.release(placement, outcomes)

    assert ok.ok and full.refusal and failed.refusal
    assert 'server error' in failed.refusal.reason
    assert ' DEBUG keystoneauth' in proc.logs() or (
        ' DEBUG keystoneauth' in checks.log_since(proc))
    logs = password_proc.logs()
    assert 'Placement at' in logs and 'at start' in logs


def log_files(root):
    for folder, _, names in os.walk(root):
        if 'rmq' in folder or 'rabbitmq' in folder:
            continue
        for name in names:
            if name.endswith(('.log', '.out', '.conf')):
                yield os.path.join(folder, name)


def test_no_secret_in_any_log_or_answer(tmp_path_factory):
    root = str(tmp_path_factory.getbasetemp())
    leaks, files = [], 0
    for path in log_files(root):
        if path.endswith('.conf'):
            continue
        files += 1
        with open(path, errors='replace') as f:
            text = f.read()
        leaks += ['%s in %s' % (name, os.path.relpath(path, root))
                  for name, secret in settings.SECRETS.items()
                  if secret in text]
    answers = '\n'.join(checks.CALLER_TEXTS)
    leaks += ['%s in an answer' % name
              for name, secret in settings.SECRETS.items()
              if secret in answers]
    matrix.record(matrix.Row(
        fault='secrets: %d secrets, %d log files, %d answer texts'
        % (len(settings.SECRETS), files, len(checks.CALLER_TEXTS)),
        requests=files, errors=len(leaks), alive=True))

    assert files > 0 and checks.CALLER_TEXTS
    assert leaks == []
