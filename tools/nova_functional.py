#!/usr/bin/env python3
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

"""Run Nova 34's own functional tests with our scheduler, or with Nova's.

``tox -e nova-functional -- SELECTION`` runs the selection (test ids,
modules or classes in dotted form, as stestr takes them; the default is
the selection in ``tests/nova_functional/selection.txt``) with our
scheduler in Nova's, and compares it with Nova's own scheduler:

- ``NOVA_SCHEDULER=ours`` (tox's default): against the results recorded
  in ``tests/nova_functional/stock-baseline.txt`` (every test of the
  selection that passed with Nova's scheduler, recorded by a stock run);
- ``NOVA_SCHEDULER=both``: runs the selection with Nova's scheduler too,
  in the same run, and compares with that;
- ``NOVA_SCHEDULER=stock``: Nova's scheduler only; ``--record-baseline``
  writes its results as the new baseline.

It prints, per module: tests, passed with stock, passed with ours,
excluded; and it fails when a test that passed with stock did not pass
with ours, unless ``tests/nova_functional/exclusions.txt`` lists it.

What "ours" means is in ``tests/nova_functional/__init__.py``: every test
starts a real ``scheduler-server`` in nova-scheduler's place, on a private
RabbitMQ started here, reading the test's own Placement (served on a
loopback port) and the test's own Nova databases.

Nova's tests run in its threading mode (``OS_NOVA_DISABLE_EVENTLET_PATCHING
=True``, as Nova's ``functional-py313-threading`` job runs them): there its
database fixtures are sqlite files, which another process can read.
"""

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
HARNESS = os.path.join(TOP, 'tests', 'nova_functional')
sys.path.insert(0, TOP)

from tests.fixtures import rabbitmq  # noqa: E402

NOVA_VERSION = '34.0.0'
MODES = ('stock', 'ours')
BASELINE = os.path.join(HARNESS, 'stock-baseline.txt')
_ID = re.compile(r'^(nova\.tests\.functional\.[\w.]+?)\.(\w+)\.(test\w*)')


def read_list(path):
    """Non-comment lines of ``path``: (first word, rest) pairs."""
    entries = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#'):
                word, _, rest = line.partition(' ')
                entries.append((word, rest.strip()))
    return entries


def nova_sdist(cache_dir):
    """The unpacked Nova sdist (it has doc/notification_samples)."""
    tree = os.path.join(cache_dir, 'nova-%s' % NOVA_VERSION)
    if os.path.isdir(os.path.join(tree, 'nova')):
        return tree
    os.makedirs(cache_dir, exist_ok=True)
    subprocess.run(
        [sys.executable, '-m', 'pip', 'download', '-q', '--no-deps',
         '--no-binary', ':all:', '-d', cache_dir, 'nova==%s' % NOVA_VERSION],
        check=True)
    with tarfile.open(os.path.join(
            cache_dir, 'nova-%s.tar.gz' % NOVA_VERSION)) as tar:
        tar.extractall(cache_dir, filter='data')
    return tree


def prepare_run_dir(run_dir, sdist):
    """A directory stestr runs in: Nova's tree and our harness beside it.

    stestr discovers ``scheduler_nova_functional`` (our harness), whose
    ``load_tests`` installs it and then discovers Nova's functional tests:
    so every worker process has the harness before any test runs.
    """
    if os.path.exists(run_dir):
        shutil.rmtree(run_dir)
    os.makedirs(run_dir)
    for name in ('nova', 'doc', 'etc'):
        os.symlink(os.path.join(sdist, name), os.path.join(run_dir, name))
    os.symlink(HARNESS, os.path.join(run_dir, 'scheduler_nova_functional'))
    with open(os.path.join(run_dir, '.stestr.conf'), 'w') as f:
        f.write('[DEFAULT]\ntest_path=./scheduler_nova_functional\n'
                'top_dir=./\n')


def test_env(mode, broker, slots, lock_dir):
    env = dict(os.environ)
    env.update({
        'NOVA_SCHEDULER': mode,
        'OS_NOVA_DISABLE_EVENTLET_PATCHING': 'True',
        'OS_STDOUT_CAPTURE': '1', 'OS_STDERR_CAPTURE': '1',
        'OS_LOG_CAPTURE': '1', 'OS_TEST_TIMEOUT': '160',
        'PYTHONDONTWRITEBYTECODE': '1',
    })
    env.pop('PYTHONWARNINGS', None)
    if broker is not None:
        env['SCHEDULER_NF_TRANSPORT_URL'] = broker.transport_url
        env['SCHEDULER_NF_SLOTS'] = str(slots)
        env['SCHEDULER_NF_LOCK_DIR'] = lock_dir
    return env


def as_filters(selection):
    """stestr filters matching exactly the ids, modules or classes given.

    stestr takes regular expressions: ``test_servers`` alone would also
    run ``test_servers_provider_tree``.
    """
    return ['^%s(\\.|\\[|$)' % re.escape(entry) for entry in selection]


def run_stestr(run_dir, env, selection, concurrency, log_path):
    """Run ``selection`` in ``run_dir``; {test id: status}."""
    stestr = [sys.executable, '-m', 'stestr']
    subprocess.run(stestr + ['init'], cwd=run_dir, env=env,
                   capture_output=True)
    with open(log_path, 'w') as log:
        subprocess.run(
            stestr + ['run', '--concurrency', str(concurrency)] +
            as_filters(selection), cwd=run_dir, env=env, stdout=log,
            stderr=subprocess.STDOUT)
    out = subprocess.run(
        stestr + ['last', '--subunit'], cwd=run_dir, env=env,
        capture_output=True)
    return statuses(out.stdout)


def statuses(subunit_bytes):
    """{test id: 'success' | 'fail' | 'skip' | ...} from a subunit v2 stream.

    Read with python-subunit's own parser (a dependency of stestr).
    """
    import io

    import subunit
    import testtools

    results = {}

    class Collect(testtools.StreamResult):
        def status(self, test_id=None, test_status=None, **kwargs):
            if test_id and test_status in ('success', 'fail', 'skip',
                                           'xfail', 'uxsuccess'):
                results[test_id.split('[')[0]] = test_status

    case = subunit.ByteStreamToStreamResult(io.BytesIO(subunit_bytes))
    collect = Collect()
    collect.startTestRun()
    case.run(collect)
    collect.stopTestRun()
    return results


def read_baseline(path):
    """{test id: status} recorded from a run with Nova's scheduler."""
    return dict(read_list(path))


def write_baseline(path, found):
    with open(path, 'w') as f:
        f.write('# Nova %s functional tests with Nova\'s own scheduler: '
                'test id, status.\n# Written by tools/nova_functional.py '
                '--record-baseline (NOVA_SCHEDULER=stock).\n' % NOVA_VERSION)
        for test_id in sorted(found):
            f.write('%s %s\n' % (test_id, found[test_id]))


def module_of(test_id):
    match = _ID.match(test_id)
    return match.group(1) if match else test_id.rsplit('.', 2)[0]


def table(results, excluded):
    """Per module: tests, passed with stock, passed with ours, excluded."""
    rows = collections.OrderedDict()
    ids = sorted(set().union(*(r.keys() for r in results.values())))
    for test_id in ids:
        row = rows.setdefault(module_of(test_id), collections.Counter())
        row['tests'] += 1
        for mode, found in results.items():
            if found.get(test_id) == 'success':
                row[mode] += 1
        if test_id in excluded:
            row['excluded'] += 1
    lines = ['%-62s %6s %6s %6s %8s' % ('module', 'tests', 'stock', 'ours',
                                        'excluded')]
    total = collections.Counter()
    for module, row in rows.items():
        total.update(row)
        lines.append('%-62s %6d %6s %6s %8d' % (
            module.replace('nova.tests.functional.', ''), row['tests'],
            row['stock'] if 'stock' in results else '-',
            row['ours'] if 'ours' in results else '-', row['excluded']))
    lines.append('%-62s %6d %6s %6s %8d' % (
        'total', total['tests'],
        total['stock'] if 'stock' in results else '-',
        total['ours'] if 'ours' in results else '-', total['excluded']))
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('selection', nargs='*')
    parser.add_argument('--selection-file', default=os.path.join(
        HARNESS, 'selection.txt'),
        help='the selection when none is given (default: %(default)s)')
    parser.add_argument('--concurrency', type=int,
                        default=int(os.environ.get('NOVA_FUNCTIONAL_WORKERS',
                                                   '2')))
    parser.add_argument('--work-dir', default=os.path.join(
        TOP, '.tox', 'nova-functional-work'))
    parser.add_argument('--baseline', default=BASELINE,
                        help='results of Nova\'s scheduler to compare with '
                             'when it is not run (default: %(default)s)')
    parser.add_argument('--record-baseline', action='store_true',
                        help='write the stock results as the baseline')
    args = parser.parse_args(argv)

    mode = os.environ.get('NOVA_SCHEDULER', 'ours')
    modes = MODES if mode == 'both' else (mode,)
    if any(m not in MODES for m in modes):
        parser.error('NOVA_SCHEDULER is stock, ours or both, not %r' % mode)
    selection = args.selection or [
        word for word, _ in read_list(args.selection_file)]
    excluded = dict(read_list(os.path.join(HARNESS, 'exclusions.txt')))

    work = os.path.abspath(args.work_dir)
    sdist = nova_sdist(os.path.join(work, 'sdist'))
    broker = None
    lock_dir = os.path.join(work, 'slots')
    os.makedirs(lock_dir, exist_ok=True)
    results = {}
    try:
        if 'ours' in modes:
            broker = rabbitmq.RabbitMQBroker(tempfile.mkdtemp(
                prefix='rabbit-', dir=work))
            broker.start()
            for slot in range(args.concurrency):
                vhost = 'slot%d' % slot
                broker.ctl('add_vhost', vhost)
                broker.ctl('set_permissions', '-p', vhost, broker.user,
                           '.*', '.*', '.*')
        for m in modes:
            run_dir = os.path.join(work, 'run-%s' % m)
            prepare_run_dir(run_dir, sdist)
            started = time.monotonic()
            results[m] = run_stestr(
                run_dir, test_env(m, broker, args.concurrency, lock_dir),
                selection, args.concurrency,
                os.path.join(work, 'stestr-%s.log' % m))
            print('%s: %d tests in %.0f s (log: %s)' % (
                m, len(results[m]), time.monotonic() - started,
                os.path.join(work, 'stestr-%s.log' % m)))
    finally:
        if broker is not None:
            broker.stop()

    with open(os.path.join(work, 'results.json'), 'w') as f:
        json.dump(results, f, indent=1, sort_keys=True)
    if args.record_baseline and 'stock' in results:
        recorded = (read_baseline(args.baseline)
                    if os.path.exists(args.baseline) else {})
        recorded.update(results['stock'])
        write_baseline(args.baseline, recorded)
        print('recorded %d stock results in %s' % (len(results['stock']),
                                                   args.baseline))
    if 'stock' not in results and 'ours' in results:
        recorded = read_baseline(args.baseline)
        # The baseline's tests of this selection: one that did not run
        # with ours (a crashed worker) counts as not passed.
        wanted = [re.compile(f) for f in as_filters(selection)]
        results['stock'] = {
            test_id: status for test_id, status in recorded.items()
            if any(w.match(test_id) for w in wanted)}
        unknown = sorted(set(results['ours']) - set(recorded))
        for test_id in unknown:
            print('not in the stock baseline (run NOVA_SCHEDULER=stock with '
                  '--record-baseline): %s' % test_id)
        results = {'stock': results['stock'], 'ours': results['ours']}
        print('stock: the %d results of this selection recorded in %s' % (
            len(results['stock']), args.baseline))
    print(table(results, excluded))
    failed = False
    for m, found in results.items():
        if not found:
            print('%s: no test ran' % m)
            failed = True
    if len(results) == 2:
        regressions = sorted(
            test_id for test_id, status in results['stock'].items()
            if status == 'success' and
            results['ours'].get(test_id) != 'success' and
            test_id not in excluded)
        for test_id in regressions:
            print('passed with stock, not with ours: %s' % test_id)
        failed = failed or bool(regressions)
        ours = results['ours']
        print('%d passed, %d failed' % (
            sum(1 for s in ours.values() if s == 'success'),
            len(regressions)))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
