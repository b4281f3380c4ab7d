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

"""Config faults: bad options stop the service, a missing Placement not.

Every invalid configuration makes ``scheduler-server`` exit non-zero with
one error line that names the option (or the plugin); a Placement that is
merely unreachable at start is one WARNING naming its endpoint, the
service serves NoValidHost saying so, then serves normally once Placement
is back. ``scheduler-status upgrade check`` exits 0 on a healthy
deployment and 2 for each broken dependency, without printing a secret.
"""

import os
import subprocess
import sys

from scheduler.sim import cloud
from tests.faults import checks
from tests.faults import matrix
from tests.faults import settings
from tests.fixtures import cloud_hosts
from tests.fixtures import server

EXIT_TIMEOUT = 120

# (option group, option, bad value, words the one error line must carry)
INVALID = [
    ('scheduler', 'workers', '1000', '[scheduler] workers'),
    ('scheduler', 'max_attempts', '0', '[scheduler] max_attempts'),
    ('scheduler', 'max_placement_results', 'many',
     '[scheduler] max_placement_results'),
    ('scheduler', 'claim_retry_delay', '-1', '[scheduler] claim_retry_delay'),
    ('scheduler', 'driver', 'no_such_driver', 'no_such_driver'),
    ('filter_scheduler', 'enabled_filters', 'ComputeFilter,NoSuchFilter',
     'NoSuchFilter'),
    ('filter_scheduler', 'weight_classes', 'NoSuchWeigher', 'NoSuchWeigher'),
    ('filter_scheduler', 'host_subset_size', '0',
     '[filter_scheduler] host_subset_size'),
    ('placement', 'timeout', 'soon', '[placement] timeout'),
    ('placement', 'auth_type', 'no_such_plugin', '[placement] auth_type'),
    ('placement', 'token', 'not-an-admin', '[placement] credentials'),
    ('DEFAULT', 'transport_url', 'nosuchdriver://h/', 'transport_url'),
    ('metrics_exporter', 'listen', '9180', '[metrics_exporter] listen'),
    ('metrics_exporter', 'listen', '127.0.0.1:99999',
     '[metrics_exporter] listen'),
]


def _lines(text):
    return [line for line in text.splitlines() if line.strip()]


def _env():
    # Deprecation warnings of third-party imports are not the service's.
    return dict(os.environ, PYTHONWARNINGS='ignore')


def run_server(workdir, broker, endpoint, group, option, value):
    os.makedirs(workdir, exist_ok=True)
    log_file = os.path.join(workdir, 'scheduler.log')
    extra = {'placement': dict(settings.PLACEMENT_CONF),
             'filter_scheduler': dict(settings.PLUGIN_CONF)}
    extra.setdefault(group, {})[option] = value
    path = server.write_config(
        os.path.join(workdir, 'scheduler.conf'), broker.transport_url,
        endpoint, workers=1, log_file=log_file, extra=extra)
    if group == 'DEFAULT':
        # write_config's own transport_url comes first; replace it.
        with open(path) as f:
            text = f.read().replace(broker.transport_url, value, 1)
        with open(path, 'w') as f:
            f.write(text)
    done = subprocess.run(server.server_command() + ['--config-file', path],
                          capture_output=True, text=True,
                          timeout=EXIT_TIMEOUT, env=_env())
    logged = ''
    if os.path.exists(log_file):
        with open(log_file) as f:
            logged = f.read()
    return done, logged


def test_invalid_config_stops_the_service_naming_the_option(
        tmp_path, broker, placement):
    failures = []
    for n, (group, option, value, words) in enumerate(INVALID):
        workdir = str(tmp_path / ('%d-%s' % (n, option)))
        done, logged = run_server(workdir, broker, placement.endpoint,
                                  group, option, value)
        stderr = _lines(done.stderr)
        problems = [line for line in logged.splitlines()
                    if ' ERROR ' in line or ' CRITICAL ' in line]
        if done.returncode == 0:
            failures.append('%s=%s: exit 0' % (option, value))
        elif len(stderr) != 1 or words not in stderr[0]:
            failures.append('%s=%s: stderr %r' % (option, value, stderr))
        elif len(problems) > 1 or 'Traceback' in logged + done.stderr:
            failures.append('%s=%s: log %r' % (option, value, problems))
    row = matrix.record(matrix.Row(
        fault='invalid config x%d: exit != 0, one error naming it'
        % len(INVALID), requests=len(INVALID),
        errors=len(failures), alive=True))
    row.succeeded = len(INVALID) - len(failures)

    assert failures == [], '\n'.join(failures)


def status(config_file):
    script = os.path.join(os.path.dirname(sys.executable),
                          'scheduler-status')
    done = subprocess.run([script, '--config-file', config_file, 'upgrade',
                           'check'], capture_output=True, text=True,
                          timeout=EXIT_TIMEOUT, env=_env())
    return done.returncode, done.stdout + done.stderr


def test_unreachable_placement_at_start_warns_once_then_recovers(
        tmp_path, broker, placement, proxy, server_factory, client):
    hosts = cloud_hosts.make_hosts(2, prefix='late')
    cloud.create_hosts(placement.endpoint, hosts)
    proxy.refuse()
    try:
        proc = server_factory(host='sched-late-placement')
        down = [checks.call(client) for _ in range(3)]
    finally:
        proxy.start()
    up = [checks.call(client) for _ in range(3)]
    warnings = [line for line in checks.log_since(proc).splitlines()
                if ' WARNING ' in line and 'at start' in line]
    outcomes = down + up
    row = matrix.record(matrix.Row(
        fault='Placement unreachable at start, back later',
        requests=len(outcomes), succeeded=sum(o.ok for o in outcomes),
        no_valid_host=sum(o.refusal is not None for o in outcomes),
        errors=sum(o.error is not None for o in outcomes),
        leaked=(checks.leaked(placement, outcomes) +
                checks.orphans(placement, outcomes)),
        overcommit=checks.overcommitted(placement, hosts),
        slowest=max(o.seconds for o in outcomes)))
    checks.release(placement, outcomes)
    row.alive = checks.alive(client, placement, proc)

    assert len(warnings) == 1, warnings
    assert proxy.endpoint in warnings[0]
    for outcome in down:
        assert outcome.refusal is not None
        assert 'unreachable' in outcome.refusal.reason
        # The endpoint is the operator's (the warning, the log), not the
        # caller's: the reason reaches end users.
        assert proxy.endpoint not in outcome.refusal.reason
    assert all(o.ok for o in up)
    assert (row.leaked, row.overcommit, row.alive) == (0, 0, True)


def test_scheduler_status_exit_codes(tmp_path, broker, placement, proxy):
    def config(name, **extra):
        conf = {'placement': dict(settings.PLACEMENT_CONF),
                'filter_scheduler': dict(settings.PLUGIN_CONF)}
        for group, values in extra.items():
            conf.setdefault(group, {}).update(values)
        return server.write_config(
            str(tmp_path / ('%s.conf' % name)), broker.transport_url,
            proxy.endpoint, extra=conf)

    facts_file = tmp_path / 'facts.yaml'
    facts_file.write_text('aggregates: [{name: a, hosts: [h1]}]')
    # Filters reading only what the file gives (aggregates): nothing for
    # scheduler-status to warn about.
    healthy = config('healthy', host_facts={'sources': 'file'},
                     host_facts_file={'path': str(facts_file)},
                     filter_scheduler={
                         'enabled_filters': 'AvailabilityZoneFilter'})
    # Aggregates from Nova's casts alone: refusals until one arrives.
    casts_only = config('casts')
    bad_plugin = config('plugin', filter_scheduler={
        'enabled_filters': 'NoSuchFilter'})
    refused = config('refused', placement={'token': 'not-an-admin'})
    bad_broker = config('broker')
    with open(bad_broker) as f:
        text = f.read().replace(broker.password, 'wrong-password')
    with open(bad_broker, 'w') as f:
        f.write(text)

    results = {name: status(path) for name, path in [
        ('healthy', healthy), ('casts', casts_only), ('plugin', bad_plugin),
        ('refused', refused), ('broker', bad_broker)]}
    proxy.refuse()
    try:
        results['unreachable'] = status(healthy)
    finally:
        proxy.start()
    codes = {name: code for name, (code, _) in results.items()}
    matrix.record(matrix.Row(
        fault='scheduler-status: healthy, casts only, bad plugin, refused, '
              'broker, down',
        requests=len(codes), succeeded=sum(
            code == {'healthy': 0, 'casts': 1}.get(name, 2)
            for name, code in codes.items()),
        errors=sum(code not in (0, 1, 2) for code in codes.values()),
        alive=True))

    assert codes == {'healthy': 0, 'casts': 1, 'plugin': 2, 'refused': 2,
                     'broker': 2, 'unreachable': 2}, results
    # The table wraps the details: compare the words.
    words = ' '.join(results['casts'][1].replace('|', ' ').split())
    assert 'no configured source reads aggregates' in words, words
    assert 'NoSuchFilter' in results['plugin'][1]
    assert 'refused the credentials' in results['refused'][1]
    assert 'no RabbitMQ host' in results['broker'][1]
    assert 'unreachable' in results['unreachable'][1]
    for _, output in results.values():
        assert broker.password not in output
        assert 'wrong-password' not in output
