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
