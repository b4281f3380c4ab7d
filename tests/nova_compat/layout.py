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

"""The cloud and service settings these tests run with, and checks on them.

Four identical compute hosts, each a root resource provider in Placement
with the inventory below, and a scheduler with ``max_attempts`` 3, so a
request can always be answered with the chosen host and two alternates.
"""

import os
import time

MAX_ATTEMPTS = 3
WORKERS = 2
CELL_UUID = 'c0ffee00-1a2b-4c3d-8e9f-0123456789ab'
HOST_INVENTORY = {'VCPU': 4, 'MEMORY_MB': 8192, 'DISK_GB': 200}
HOST_NAMES = ['nc-compute-%d' % n for n in range(1, 5)]

LEGACY_TOPIC = 'compat_notifications'
VERSIONED_TOPIC = 'compat_versioned_notifications'

SCHEDULER_CONF = {
    'scheduler': {'max_attempts': MAX_ATTEMPTS,
                  'default_cell_uuid': CELL_UUID},
    # No Nova databases behind this service, so no compute details: the
    # filters reading them would refuse Nova's image (it names an
    # architecture). test_nova_db.py runs them with Nova's databases.
    'filter_scheduler': {'enabled_filters': (
        'ServerGroupAntiAffinityFilter,ServerGroupAffinityFilter')},
    'notifications': {'notification_format': 'both',
                      'versioned_notifications_topics': VERSIONED_TOPIC},
    'oslo_messaging_notifications': {'driver': 'messagingv2',
                                     'topics': LEGACY_TOPIC},
}

# What the service writes when an RPC endpoint raised something it did not
# declare (a missing method, a bad argument name, an unexpected error).
UNEXPECTED_LOG_MARKERS = ('Exception during message handling',
                          'NoSuchMethod', 'UnsupportedVersion')


class LogWatch:
    """The text the service logged since the watch was made."""

    def __init__(self, service):
        self._paths = [os.path.join(service.workdir, name)
                       for name in ('stdout.log', 'scheduler.log')]
        self._offsets = {p: self._size(p) for p in self._paths}

    @staticmethod
    def _size(path):
        return os.path.getsize(path) if os.path.exists(path) else 0

    def new_text(self, settle=0.5):
        time.sleep(settle)
        text = ''
        for path in self._paths:
            if os.path.exists(path):
                with open(path, 'rb') as f:
                    f.seek(self._offsets[path])
                    text += f.read().decode('utf-8', 'replace')
        return text


def allocations_of(placement_api, consumer):
    """{provider uuid: resources} Placement holds for one consumer."""
    body = placement_api.get('/allocations/%s' % consumer).json()
    return {rp: alloc['resources']
            for rp, alloc in body['allocations'].items()}


def consumer_record(placement_api, consumer):
    return placement_api.get('/allocations/%s' % consumer).json()


def total_usage(placement_api, hosts):
    used = {}
    for host in hosts:
        usages = placement_api.get(
            '/resource_providers/%s/usages' % host.uuid).json()['usages']
        for rc, amount in usages.items():
            used[rc] = used.get(rc, 0) + amount
    return used
