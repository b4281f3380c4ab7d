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

"""Each worker's gauges: what its state is now, not what requests did.

The exporter in the parent process cannot ask a worker anything; it only
reads the files the workers write. So each worker publishes, at start and
every ``[metrics_exporter] refresh_interval`` seconds, the age and state
of its host-facts sources and how many failed releases it still retries.
"""

import threading

from oslo_log import log as logging

from scheduler.observe import metrics

LOG = logging.getLogger(__name__)


class GaugePublisher:
    """Publishes one worker's gauges from its manager, on a thread.

    :param manager: has ``host_facts`` (a ``HostFactsStore``) and
        ``driver``, whose ``deferred_releases`` may be counted; either may
        be missing (a test's manager).
    """

    def __init__(self, recorder, manager, interval):
        self._recorder = recorder
        self._manager = manager
        self._interval = interval
        self._stopped = threading.Event()
        self._thread = None

    def publish(self):
        """Publish the gauges once."""
        host_facts = getattr(self._manager, 'host_facts', None)
        health = host_facts.health() if host_facts is not None else []
        driver = getattr(self._manager, 'driver', None)
        releases = getattr(driver, 'deferred_releases', None)
        pending = len(releases) if releases is not None else 0
        self._recorder.publish_health(health, pending)

    def _run(self):
        while not self._stopped.wait(self._interval):
            try:
                self.publish()
            except Exception:
                LOG.exception('Could not publish the metrics gauges')

    def start(self):
        self.publish()
        self._stopped.clear()
        self._thread = threading.Thread(
            target=self._run, name='metrics-gauges', daemon=True)
        self._thread.start()

    def stop(self):
        self._stopped.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5)


def start(conf, manager):
    """The worker's started ``GaugePublisher``; None when metrics are off.

    The recorder is the driver's (``metrics.recorder_for``).
    """
    driver = getattr(manager, 'driver', None)
    recorder = getattr(driver, 'recorder', metrics.NULL)
    if not recorder.enabled:
        return None
    publisher = GaugePublisher(recorder, manager,
                               conf.metrics_exporter.refresh_interval)
    publisher.start()
    return publisher
