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

"""The ``rpc`` source: aggregates and instances from Nova's fanout casts.

Semantics are those of Nova's host manager:

- ``update_aggregates`` adds or replaces aggregates (by id, else uuid);
  ``delete_aggregate`` forgets one.
- ``update_instance_info`` from a host already known adds or replaces its
  instances. From an unknown host, a list of several instances is that
  host's full list; a single instance is not, so the host stays "out of
  date" until its next ``sync_instance_info``.
- ``delete_instance_info`` forgets one instance (an unknown host stays out
  of date).
- ``sync_instance_info`` is the handshake: nova-compute periodically sends
  the uuids of all its instances. If they match what is recorded, the
  host is up to date. If not (or the host was unknown), the record was out
  of date: it becomes the compute's list (details kept for the instances
  already known), the mismatch is logged and counted, and the other
  sources are told (``nova_db`` then reloads early), as Nova's host
  manager re-reads the host's instances from its database.

The records are ``AggregateFacts`` and ``InstanceFacts``, as the RPC layer
reads them from the casts (``scheduler.rpc.payloads``). This source never
fails: its age is the time since the last cast.
"""

from oslo_log import log as logging

from scheduler.host_facts import base
from scheduler.host_facts import instances as compact
from scheduler.host_state import facts

LOG = logging.getLogger(__name__)


def aggregate_key(aggregate):
    return aggregate.id if aggregate.id is not None else aggregate.uuid


class RPCSource(base.HostFactsSource):
    """Facts from the casts nova-api and nova-compute send."""

    name = 'rpc'
    supplies_aggregates = True
    supplies = frozenset([facts.INSTANCES])

    def __init__(self, conf, clock=None, on_out_of_date=None):
        kwargs = {'clock': clock} if clock is not None else {}
        super().__init__(conf, **kwargs)
        self.sync_mismatches = 0
        self.on_out_of_date = on_out_of_date
        # Pushed, never failing: it vouches from the start.
        self._loaded_at = self._clock()
        # Nova casts aggregates only when one changes: until then, none
        # known here means "not heard", not "none exist".
        self._heard_aggregates = False

    def knows_aggregates(self):
        return self._heard_aggregates

    def state(self):
        return base.OK

    def age(self):
        return max(self._clock() - self._loaded_at, 0.0)

    def _partial(self):
        """Names of the hosts whose instance list is not known whole."""
        return sorted(name for name, known in list(self._hosts.items())
                      if not known.instances_complete)

    def health_detail(self):
        return '%d host(s) with instance info, %d out of date, %d sync ' \
               'mismatch(es), %s' % (
                   len(self._hosts), len(self._partial()),
                   self.sync_mismatches,
                   '%d aggregate(s)' % len(self._aggregates)
                   if self._heard_aggregates else
                   'no aggregate cast since start')

    def heard(self):
        """What the casts told since start, as ``scheduler-status`` shows.

        ``{'aggregates': count or None (no cast yet), 'complete': [host
        names with a whole instance list], 'partial': [names with only
        what was heard], 'since_last_cast': seconds}``.
        """
        with self._lock:
            partial = self._partial()
            complete = sorted(set(self._hosts) - set(partial))
            aggregates = (len(self._aggregates) if self._heard_aggregates
                          else None)
        return {'aggregates': aggregates, 'complete': complete,
                'partial': partial, 'since_last_cast': self.age()}

    def out_of_date(self, host_name):
        """Whether the host's instance list is not known to be complete."""
        known = self._hosts.get(host_name)
        return known is not None and not known.instances_complete

    # Aggregates: replaced as a whole (copy on write) on every cast.

    def update_aggregates(self, records):
        with self._lock:
            aggregates = dict(self._aggregates)
            for aggregate in records:
                aggregates[aggregate_key(aggregate)] = aggregate
            self._aggregates = aggregates
            self._heard_aggregates = True
            self._loaded_at = self._clock()

    def delete_aggregate(self, aggregate):
        key = aggregate_key(aggregate)
        with self._lock:
            aggregates = dict(self._aggregates)
            aggregates.pop(key, None)
            self._aggregates = aggregates
            self._heard_aggregates = True
            self._loaded_at = self._clock()

    # Instances: each host's dict is replaced, never changed in place, so
    # a request that read it keeps a consistent view.

    def _set_instances(self, host_name, states, complete):
        # One item assignment: readers of other hosts are not disturbed,
        # and a cast costs nothing in the number of hosts.
        # An incomplete list is what was heard, not the host's instances:
        # filters reading them refuse the host until its next sync.
        self._set_host_locked(host_name, base.SourceHost(
            instances=compact.Instances(states),
            instances_complete=complete))
        self._loaded_at = self._clock()

    def update_instances(self, host_name, records):
        items = [(r.uuid, compact.state_of_facts(r)) for r in records]
        with self._lock:
            known = self._hosts.get(host_name)
            if known is None:
                complete = len(items) > 1
                states = {}
            else:
                complete = known.instances_complete
                states = known.instances.states()
            for uuid, state in items:
                states[uuid] = compact.keep_image_properties(
                    states.get(uuid), state)
            self._set_instances(host_name, states, complete)
        if not complete and known is None:
            LOG.info('Instance info from host %s, unknown so far: its '
                     'instance list is out of date until its next sync',
                     host_name)
            self._tell(host_name)

    def delete_instance(self, host_name, instance_uuid):
        with self._lock:
            known = self._hosts.get(host_name)
            states = known.instances.states() if known else {}
            states.pop(instance_uuid, None)
            self._set_instances(host_name, states,
                                known is not None and
                                known.instances_complete)

    def sync_instances(self, host_name, instance_uuids):
        """The handshake; True if the record was up to date."""
        uuids = set(instance_uuids)
        with self._lock:
            known = self._hosts.get(host_name)
            old = known.instances.states() if known else {}
            matched = known is not None and old.keys() == uuids
            if not matched:
                self.sync_mismatches += 1
                states = {u: old.get(u, compact.EMPTY_STATE) for u in uuids}
                self._set_instances(host_name, states, True)
            elif not known.instances_complete:
                # What was heard is now known to be the whole list.
                self._set_instances(host_name, old, True)
            else:
                self._loaded_at = self._clock()
        if matched:
            LOG.debug('Instance sync of host %s matched', host_name)
        else:
            LOG.info('Instance sync of host %(host)s did not match '
                     '(%(was)s): its instance list was out of date and is '
                     'now the %(n)d instance(s) it reported',
                     {'host': host_name,
                      'was': 'unknown host' if known is None else
                      '%d recorded' % len(old), 'n': len(uuids)})
            self._tell(host_name)
        return matched

    def _tell(self, host_name):
        if self.on_out_of_date is not None:
            self.on_out_of_date(host_name)
