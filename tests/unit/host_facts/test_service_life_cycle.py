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

"""A worker starts its manager's host-facts sources and stops them."""

from scheduler.cmd import server


class RecordingManager:
    def __init__(self):
        self.calls = []

    def start(self):
        self.calls.append('start')

    def stop(self):
        self.calls.append('stop')

    def reset(self):
        self.calls.append('reset')


def test_worker_stop_stops_the_managers_sources():
    service = server.SchedulerService(conf=None)
    manager = service.manager = RecordingManager()
    service.stop()
    assert manager.calls == ['stop']
    assert service.manager is None


def test_sighup_reset_reaches_the_manager():
    service = server.SchedulerService(conf=None)
    manager = service.manager = RecordingManager()
    service.reset()
    assert manager.calls == ['reset']
