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

"""What each worker writes for the exporter, from a thread of its own.

The exporter in the parent process cannot ask a worker anything; it only
reads the files the workers write. So each worker's publisher, every
``FLUSH_SECONDS``, writes what its requests recorded
(``PrometheusRecorder.flush``), and at start and every ``[metrics_exporter]
refresh_interval`` seconds publishes its gauges: the age and state of its
host-facts sources and how many failed releases it still retries. A
worker that stops gracefully flushes once more; one that is killed loses
at most the last second of its requests.
"""

import threading
import time

from oslo_log import log as logging

from scheduler.observe import metrics

LOG = logging.getLogger(__name__)

FLUSH_SECONDS = 1.0


class Publisher:
    """Flushes one worker's recorder and publishes its gauges, on a thread.

    :param manager: has ``host_facts`` (a ``HostFactsStore``) and
        ``driver``, whose ``deferred_releases`` are counted; either may
        be missing (a test's manager).
    :param interval: seconds between two publications of the gauges.
    """

    def __init__(self, recorder, manager, interval, clock=time.monotonic):
        self._recorder = recorder
        self._manager = manager
        self._interval = interval
        self._clock = clock
        self._published = None
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
        self._published = self._clock()

    def run_once(self):
        """Flush the recorder; publish the gauges if they are due."""
        self._recorder.flush()
        if (self._published is None or
                self._clock() - self._published >= self._interval):
            self.publish()

    def _run(self):
        while not self._stopped.wait(FLUSH_SECONDS):
            try:
                self.run_once()
            except Exception:
                LOG.exception('Could not write the metrics of this worker')

    def start(self):
        self.publish()
        self._stopped.clear()
        self._thread = threading.Thread(
            target=self._run, name='metrics-publisher', daemon=True)
        self._thread.start()

    def stop(self):
        """End the thread; what was recorded meanwhile is written."""
        self._stopped.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5)
        self._recorder.flush()


def start(conf, manager):
    """The worker's started ``Publisher``; None when metrics are off.

    The recorder is the driver's (``metrics.recorder_for``).
    """
    driver = getattr(manager, 'driver', None)
    recorder = getattr(driver, 'recorder', metrics.NULL)
    if not recorder.enabled:
        return None
    publisher = Publisher(recorder, manager,
                          conf.metrics_exporter.refresh_interval)
    publisher.start()
    return publisher
