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

"""Shared helpers for the host-facts source tests."""

from scheduler.host_facts import base
from scheduler.host_state import facts
from tests.fixtures import conf as conf_fixture


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


make_conf = conf_fixture.make_conf


class ComputeRecords(base.HostFactsSource):
    """Reports the compute record of each host it was given, as nova_db.

    ``computes``: ``{host name: ComputeFacts}``; see ``services_up``.
    """

    name = 'computes'
    supplies = frozenset([facts.COMPUTE])

    def __init__(self, conf, computes, clock=None):
        super().__init__(conf, clock=clock or Clock())
        self._publish({}, {name: base.SourceHost(compute=compute)
                           for name, compute in computes.items()})


def services_up(*names):
    """``{name: ComputeFacts}`` of enabled, up compute services."""
    return {name: facts.ComputeFacts(service_up=True, service_disabled=False)
            for name in names}
