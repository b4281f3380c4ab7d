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

"""The ``file`` source: an operator's YAML of aggregates and cells.

For deployments without Nova databases. Read at start and on SIGHUP. The
file looks like::

    aggregates:
      - name: rack1
        uuid: 9a4c...            # optional
        id: 1                    # optional
        hosts: [compute1, compute2]
        metadata: {availability_zone: az1}
    cells:
      - uuid: 5e1a...            # the cell_uuid of Selections
        name: cell1              # optional
        hosts: [compute1, compute2]

A file that cannot be read or is invalid is refused with a message naming
the file and the entry; the last good content stays in use (bounded by
``[host_facts] max_stale_seconds``, then the source fails closed). At
start, an invalid file stops the service.

With several workers, SIGHUP makes oslo.service's threading backend
restart them: each new worker reads the file. The last good content a new
worker falls back to is the one its parent process read (at service start,
when the start-up checks load the plugins), kept here across the fork.
"""

import time
import uuid as uuid_lib

from oslo_log import log as logging
import yaml

from scheduler.host_facts import base
from scheduler.host_state import facts

LOG = logging.getLogger(__name__)

# path -> (monotonic time, aggregates, hosts) of the last good read in
# this process or, inherited through fork, in the parent.
_LAST_GOOD = {}


class InvalidHostFactsFile(ValueError):
    """The file is not valid; the message names where and why."""


def _fail(where, why):
    raise InvalidHostFactsFile('%s %s' % (where, why))


def _mapping(value, where, allowed):
    if not isinstance(value, dict):
        _fail(where, 'must be a mapping')
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        _fail(where, 'has unknown key(s) %s (allowed: %s)'
              % (', '.join(map(str, unknown)), ', '.join(allowed)))
    return value


def _str(value, where, required=False):
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        _fail(where, 'must be a non-empty string')
    return value


def _uuid(value, where, required=False):
    value = _str(value, where, required)
    if value is not None:
        try:
            value = str(uuid_lib.UUID(value))
        except ValueError:
            _fail(where, 'must be a UUID, not %r' % value)
    return value


def _list(value, where):
    if value is None:
        return []
    if not isinstance(value, list):
        _fail(where, 'must be a list')
    return value


def _hosts(value, where):
    if value is None:
        return frozenset()
    if not isinstance(value, list):
        _fail(where, 'must be a list of host names')
    return frozenset(_str(h, '%s[%d]' % (where, i))
                     for i, h in enumerate(value))


def _aggregate(value, where):
    _mapping(value, where, ('name', 'uuid', 'id', 'hosts', 'metadata'))
    agg_id = value.get('id')
    if agg_id is not None and (not isinstance(agg_id, int) or
                               isinstance(agg_id, bool)):
        _fail(where + '.id', 'must be an integer')
    metadata = value.get('metadata') or {}
    if not isinstance(metadata, dict):
        _fail(where + '.metadata', 'must be a mapping')
    for key, item in metadata.items():
        if not isinstance(key, str) or not isinstance(item, str):
            _fail('%s.metadata.%s' % (where, key),
                  'must map a string to a string (quote numbers)')
    aggregate = facts.AggregateFacts(
        id=agg_id, uuid=_uuid(value.get('uuid'), where + '.uuid'),
        name=_str(value.get('name'), where + '.name', required=True),
        hosts=_hosts(value.get('hosts'), where + '.hosts'),
        metadata=dict(metadata))
    return aggregate


def parse(text, source='<string>'):
    """``(aggregates, hosts)`` of a host facts YAML; raises Invalid..."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise InvalidHostFactsFile('%s is not valid YAML: %s' % (source, e))
    if document is None:
        document = {}
    _mapping(document, source, ('aggregates', 'cells'))
    aggregates = {}
    for i, value in enumerate(_list(
            document.get('aggregates'), source + ': aggregates')):
        where = '%s: aggregates[%d]' % (source, i)
        aggregate = _aggregate(value, where)
        key = aggregate.id if aggregate.id is not None else (
            aggregate.uuid or 'file:' + aggregate.name)
        if key in aggregates:
            _fail(where, 'repeats aggregate %s' % key)
        aggregates[key] = aggregate
    hosts = {}
    for i, value in enumerate(_list(
            document.get('cells'), source + ': cells')):
        where = '%s: cells[%d]' % (source, i)
        _mapping(value, where, ('uuid', 'name', 'hosts'))
        cell = _uuid(value.get('uuid'), where + '.uuid', required=True)
        _str(value.get('name'), where + '.name')
        for host in _hosts(value.get('hosts'), where + '.hosts'):
            if host in hosts:
                _fail(where, 'maps host %s to a second cell' % host)
            hosts[host] = base.SourceHost(cell_uuid=cell)
    return aggregates, hosts


class FileSource(base.HostFactsSource):
    """Aggregates and host -> cell from ``[host_facts_file] path``."""

    name = 'file'
    supplies_aggregates = True

    def __init__(self, conf, clock=time.monotonic):
        super().__init__(conf, clock=clock)
        self.path = conf.host_facts_file.path
        if self.refresh():
            return
        last = _LAST_GOOD.get(self.path)
        if last is None:
            # An invalid file at start stops the service, naming the error.
            raise InvalidHostFactsFile(self.last_error)
        # A worker restarted by SIGHUP: serve what the parent read.
        loaded_at, aggregates, hosts = last
        with self._lock:
            self._aggregates, self._hosts = aggregates, hosts
            self._loaded_at = loaded_at

    def load(self):
        self.path = self.conf.host_facts_file.path
        try:
            with open(self.path, encoding='utf-8') as f:
                text = f.read()
        except OSError as e:
            raise InvalidHostFactsFile('%s cannot be read: %s'
                                       % (self.path, e.strerror))
        return parse(text, self.path)

    def describe_failure(self, error):
        if isinstance(error, InvalidHostFactsFile):
            return str(error)
        return super().describe_failure(error)

    def _loaded(self, aggregates, hosts):
        _LAST_GOOD[self.path] = (self._loaded_at, aggregates, hosts)
        LOG.info('Host facts file %(path)s loaded: %(a)d aggregate(s), '
                 '%(h)d host(s) mapped to cells',
                 {'path': self.path, 'a': len(aggregates), 'h': len(hosts)})

    def reload(self):
        self.refresh()

    def health_detail(self):
        return 'file %s' % self.conf.host_facts_file.path
