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

"""The host-facts source interface, with its freshness and failure rules.

A source holds aggregates and per-host facts (instances, compute details,
cell) and says how old they are. When it fails it keeps serving its last
good data for ``[host_facts] max_stale_seconds`` from the first failure;
after that, or if it never loaded, it fails closed: it vouches for no host
it might describe, and those hosts are not chosen. A failure is logged
once (at ERROR) when it starts, counted every time, and its recovery
logged once.
"""

import dataclasses
import threading
import time

from oslo_log import log as logging


LOG = logging.getLogger(__name__)

OK = 'ok'
STALE = 'stale'
FAILED = 'failed'


@dataclasses.dataclass(frozen=True)
class SourceHost:
    """What one source knows of one host; None means "not known".

    ``instances`` is ``{uuid: InstanceFacts}`` and never changes once
    published (sources replace it rather than update it).
    ``instances_complete`` False: what was heard of the host's instances,
    not known to be all of them (the ``rpc`` source before a host's first
    full list or sync).
    """

    instances: dict | None = None
    instances_complete: bool = True
    compute: object = None
    cell_uuid: str | None = None


@dataclasses.dataclass(frozen=True)
class Health:
    """A source's health, as ``scheduler-status`` shows it."""

    name: str
    state: str
    age: float | None
    failures: int
    last_error: str | None = None
    detail: str = ''

    def describe(self):
        age = 'never loaded' if self.age is None else (
            'data %.0f s old' % self.age)
        text = '%s: %s, %s, %d failure(s)' % (self.name, self.state, age,
                                              self.failures)
        if self.detail:
            text += ', ' + self.detail
        if self.last_error and self.state != OK:
            text += '; last error: ' + self.last_error
        return text


class HostFactsSource:
    """Base class of host-facts sources (namespace ``scheduler.host_facts``).

    Constructed with ``conf=<ConfigOpts>``. Subclasses publish their data
    with ``_publish(aggregates, hosts)`` after a successful load (or
    replace one host's record with ``_set_host_locked()``) and call
    ``_failed(reason)`` when one fails; readers call ``aggregates()``,
    ``host(name)``, ``records()``, ``take_changed()``, ``state()``,
    ``age()`` and ``health()``. ``start()`` begins any background refresh,
    ``stop()`` ends it, ``reload()`` is called on SIGHUP.

    The ``{host name: SourceHost}`` dict is either replaced as a whole
    (``_publish()``), which readers see as a new ``records()`` object, or
    changed one host at a time, each host's name then being added to the
    set ``take_changed()`` hands out.
    """

    name = None
    # Whether this source reads aggregates (and their metadata): a source
    # that does not is never asked whether it knows them.
    supplies_aggregates = False
    # The per-host facts it can report: any of facts.INSTANCES and
    # facts.COMPUTE (a compute node and its service). NoValidHost names
    # the sources that would report a fact missing for a host.
    supplies = frozenset()

    def __init__(self, conf, clock=time.monotonic):
        self.conf = conf
        self._clock = clock
        self._lock = threading.Lock()
        self._aggregates = {}
        self._hosts = {}
        # Names of the hosts whose record was replaced or removed in
        # self._hosts since the last take_changed().
        self._changed = set()
        self._loaded_at = None
        self._failing_since = None
        self._closed_logged = False
        self.failures = 0
        self.last_error = None

    # Readers.

    def aggregates(self):
        """``{id or uuid: AggregateFacts}`` (a snapshot; do not modify)."""
        return self._aggregates

    def host(self, name):
        """``SourceHost`` of ``name``, or None if the source has none."""
        return self._hosts.get(name)

    def records(self):
        """``{host name: SourceHost}`` as it is now; do not modify it.

        The dict is either replaced as a whole when the source reloads
        (compare it with ``is``) or changed one host at a time, those
        hosts' names then being returned by ``take_changed()``.
        """
        return self._hosts

    def take_changed(self):
        """The names of the hosts changed one at a time since last call.

        Take them before reading ``records()``: a host changed in between
        shows up in ``records()`` now and in the next ``take_changed()``.
        """
        with self._lock:
            changed, self._changed = self._changed, set()
        return changed

    def age(self):
        """Seconds since the data was last known good (None: never)."""
        if self._loaded_at is None:
            return None
        return max(self._clock() - self._loaded_at, 0.0)

    def knows_aggregates(self):
        """Whether its aggregates are known, not merely none so far.

        A loaded source that reads aggregates knows them all; the ``rpc``
        source only once a cast about aggregates arrived.
        """
        return self.supplies_aggregates and self._loaded_at is not None

    def max_stale(self):
        return self.conf.host_facts.max_stale_seconds

    def state(self):
        """OK, STALE (failing, serving its last good data) or FAILED."""
        if self._loaded_at is None:
            return FAILED
        if self._failing_since is None:
            return OK
        if self._clock() - self._failing_since > self.max_stale():
            if not self._closed_logged:
                self._closed_logged = True
                LOG.error('Host facts source %(name)s failed closed: '
                          'failing for over [host_facts] max_stale_seconds '
                          '= %(max)d; its hosts are not chosen until it '
                          'recovers', {'name': self.name,
                                       'max': self.max_stale()})
            return FAILED
        return STALE

    def refusal(self):
        """Why this source vouches for no host now, or None if it does."""
        if self.state() != FAILED:
            return None
        if self._loaded_at is None:
            return 'host facts source %s has not loaded (%s)' % (
                self.name, self.last_error or 'not yet')
        return ('host facts source %s has failed for %.0f s (%s), longer '
                'than [host_facts] max_stale_seconds = %d'
                % (self.name, self._clock() - self._failing_since,
                   self.last_error, self.max_stale()))

    def refused_hosts(self, host_names):
        """``{host name: reason}`` of the hosts this source cannot vouch for.

        By default: every host while the source is failed, none otherwise.
        """
        reason = self.refusal()
        return {name: reason for name in host_names} if reason else {}

    def health(self):
        return Health(name=self.name, state=self.state(), age=self.age(),
                      failures=self.failures, last_error=self.last_error,
                      detail=self.health_detail())

    def health_detail(self):
        """One line of source-specific detail for ``health()``."""
        return ''

    # Life cycle.

    def start(self):
        """Begin background work, if any (after the worker forked)."""

    def stop(self):
        """End background work."""

    def reload(self):
        """Called on SIGHUP."""

    def host_out_of_date(self, host_name):
        """Another source learnt that ``host_name``'s instances changed."""

    def before_request(self):
        """A request is about to start: re-read what is due before it.

        For a source reading the truth that the casts only echo (Nova's
        databases): Nova's scheduler reads aggregates and services for
        every request.
        """

    def catch_up(self, host_names):
        """A request is about to read ``host_names``: know them if you can.

        A source that reads on a timer and has never heard of one of them
        (a compute node added since its last read) may read again now.
        """

    # For subclasses.

    def refresh(self):
        """Run ``load()`` once; True if it succeeded."""
        try:
            aggregates, hosts = self.load()
        except Exception as e:
            error = self.describe_failure(e)
        else:
            error = None
        if error is not None:
            # Outside the except block: oslo.log would add the traceback.
            self._failed(error)
            return False
        self._publish(aggregates, hosts)
        self._loaded(aggregates, hosts)
        return True

    def describe_failure(self, error):
        """The reason logged and reported for a failed ``load()``."""
        return '%s: %s' % (type(error).__name__, error)

    def _loaded(self, aggregates, hosts):
        """Called after a successful ``load()`` was published."""

    def _publish(self, aggregates, hosts):
        with self._lock:
            self._aggregates = aggregates
            self._hosts = hosts
            self._touch_locked()

    def _set_host_locked(self, name, record):
        """Replace (None: forget) one host's record; hold ``self._lock``."""
        if record is None:
            self._hosts.pop(name, None)
        else:
            self._hosts[name] = record
        self._changed.add(name)

    def _touch_locked(self):
        if self._failing_since is not None:
            LOG.info('Host facts source %s recovered', self.name)
        self._loaded_at = self._clock()
        self._failing_since = None
        self._closed_logged = False

    def _failed(self, reason):
        with self._lock:
            self.failures += 1
            self.last_error = reason
            first = self._failing_since is None
            if first:
                self._failing_since = self._clock()
        if first:
            LOG.error('Host facts source %(name)s failed: %(reason)s; '
                      'serving its last good data for up to %(max)d s',
                      {'name': self.name, 'reason': reason,
                       'max': self.max_stale()})
        else:
            LOG.debug('Host facts source %(name)s still failing: '
                      '%(reason)s', {'name': self.name, 'reason': reason})


class PeriodicSource(HostFactsSource):
    """A source that reloads everything every ``interval()`` seconds.

    ``load()`` returns ``(aggregates, hosts)`` or raises; the first load
    happens in ``start()`` so that a worker starts with data.
    """

    def __init__(self, conf, clock=time.monotonic):
        super().__init__(conf, clock=clock)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = None

    def interval(self):
        raise NotImplementedError()

    def load(self):
        raise NotImplementedError()

    def start(self):
        self.refresh()
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, name='host-facts-%s' % self.name, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            self._wake.wait(self.interval())
            self._wake.clear()
            if not self._stop.is_set():
                self.refresh()

    def stop(self):
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def host_out_of_date(self, host_name):
        self._wake.set()
