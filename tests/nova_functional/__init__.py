"""Nova 34's own functional tests, with our scheduler as nova-scheduler.

``tools/nova_functional.py`` (``tox -e nova-functional``) runs stestr in a
directory where this package sits beside Nova's source tree. stestr
discovers this package first; its ``load_tests`` installs the harness
(unless ``NOVA_SCHEDULER=stock``) and returns Nova's functional tests, so
every worker process has the harness before the first test starts.

With the harness, ``start_service('scheduler')`` in any Nova test builds
``bridge.SchedulerManager`` instead of Nova's: it starts a real
``scheduler-server`` for that test and hands it every scheduler RPC call
and cast, unchanged, over a private RabbitMQ (``harness``). Nothing of the
service is imported into the test process.
"""

import os

import nova


def load_tests(loader, standard_tests, pattern):
    if os.environ.get('NOVA_SCHEDULER', 'ours') != 'stock':
        from scheduler_nova_functional import harness
        harness.install()
    top = os.path.dirname(os.path.dirname(os.path.abspath(nova.__file__)))
    return loader.discover(
        os.path.join(top, 'nova', 'tests', 'functional'), pattern='test*.py',
        top_level_dir=top)
