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

"""Claims whose release failed, released again later if still ours.

When a request fails after claiming (a later instance did not fit,
Placement failed mid-request), the driver releases its claims before
answering. If that release fails too (Placement unreachable or timing
out: the claim may or may not have been written), the claim goes here
and a background thread tries again every ``[scheduler]
release_retry_interval`` seconds, up to ``release_retry_limit`` times.
By then the caller may have retried and a new claim been written for the
same consumer, so each attempt removes the allocations only if they are
still the ones claimed, stating the consumer generation
(``Placement.release_if_unchanged``).
"""

import dataclasses
import threading

from oslo_log import log as logging

from scheduler import exception
from scheduler.placement import claims

LOG = logging.getLogger(__name__)


@dataclasses.dataclass
class _Pending:
    consumer: str
    allocations: dict
    attempts: int = 0


class DeferredReleases:
    """The failed releases of one scheduler process, retried in order.

    :param placement: has ``release_if_unchanged(consumer, allocations)``.
    """

    def __init__(self, placement, interval, limit):
        self._placement = placement
        self._interval = interval
        self._limit = limit
        self._lock = threading.Lock()
        self._pending = []
        self._stopped = threading.Event()
        self._thread = None

    def __len__(self):
        with self._lock:
            return len(self._pending)

    def add(self, consumer, allocations):
        """Release ``consumer``'s ``allocations`` later (a thread starts)."""
        LOG.warning('The claim of consumer %(consumer)s could not be '
                    'released; trying again every %(interval)d s',
                    {'consumer': consumer, 'interval': self._interval})
        with self._lock:
            self._pending.append(_Pending(consumer, allocations))
            if self._thread is None and not self._stopped.is_set():
                self._thread = threading.Thread(
                    target=self._run, name='deferred-releases', daemon=True)
                self._thread.start()

    def _run(self):
        while not self._stopped.wait(self._interval):
            self.run_once()

    def run_once(self):
        """One attempt at every pending release; returns how many remain."""
        with self._lock:
            pending, self._pending = self._pending, []
        kept = []
        for item in pending:
            item.attempts += 1
            try:
                outcome = self._placement.release_if_unchanged(
                    item.consumer, item.allocations)
            except exception.PlacementError as e:
                if item.attempts >= self._limit:
                    LOG.error('Gave up releasing the claim of consumer '
                              '%(consumer)s after %(n)d attempts (Placement '
                              '%(kind)s): its allocations may remain in '
                              'Placement', {'consumer': item.consumer,
                                            'n': item.attempts,
                                            'kind': e.kind})
                else:
                    kept.append(item)
                continue
            if outcome == claims.CHANGED:
                LOG.info('Consumer %s holds other allocations now; its '
                         'earlier claim is not released', item.consumer)
            else:
                LOG.info('Claim of consumer %(consumer)s released on '
                         'attempt %(n)d (%(outcome)s)',
                         {'consumer': item.consumer, 'n': item.attempts,
                          'outcome': outcome})
        with self._lock:
            self._pending[:0] = kept
            return len(self._pending)

    def stop(self):
        """End the thread; what is still pending is logged and dropped."""
        self._stopped.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout=self._interval + 5)
        with self._lock:
            pending, self._pending = self._pending, []
        for item in pending:
            LOG.error('Stopping with the claim of consumer %s unreleased: '
                      'its allocations may remain in Placement',
                      item.consumer)
