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

"""The scheduler manager: what the RPC endpoint calls.

``select_destinations`` hands the request to the driver loaded from
``[scheduler] driver`` (stevedore namespace ``scheduler.driver``; a name
that does not load raises ``PluginLoadError`` naming it, at start).

The fanout casts from Nova (aggregates and instance info) go to the
``rpc`` host-facts source of ``host_facts`` (``scheduler.host_facts``),
which the driver reads with the other sources. They arrive as the records
the RPC layer reads them into (``scheduler.rpc.payloads``): lists of
``AggregateFacts`` and ``InstanceFacts``.
"""

import os

from oslo_config import cfg
from oslo_log import log as logging

from scheduler.drivers import base as drivers_base
from scheduler import exception
from scheduler.host_facts import health
from scheduler.host_facts import store
from scheduler import plugins

LOG = logging.getLogger(__name__)


class SchedulerManager:
    """Serves the scheduler RPC API with a driver and the host facts."""

    def __init__(self, conf=None, driver=None, host_facts=None):
        self.conf = conf if conf is not None else cfg.CONF
        if driver is None:
            driver = plugins.load_driver(self.conf.scheduler.driver,
                                         self.conf,
                                         interface=drivers_base.Scheduler)
        self.driver = driver
        if host_facts is None:
            host_facts = store.HostFactsStore(self.conf)
        self.host_facts = host_facts
        self.driver.host_facts = self.host_facts

    def start(self):
        """Start the host-facts sources (in the worker, after the fork)."""
        self.host_facts.start()
        for warning in health.unreported(self.host_facts.sources,
                                         self.driver.fact_readers()):
            LOG.warning('Host facts: %s', warning)

    def stop(self):
        self.host_facts.stop()
        self.driver.stop()

    def reset(self):
        """SIGHUP: sources re-read what they read on reload."""
        self.host_facts.reload()

    def host_facts_report(self):
        """What this worker's sources know, for ``scheduler-status``.

        ``{'host', 'pid', 'sources': [health lines], 'rpc': RPCSource.
        heard(), 'aggregates_unknown': reason or None, 'missing':
        {fact: reason}}``.
        """
        return {'host': self.conf.host, 'pid': os.getpid(),
                'sources': [h.describe() for h in self.host_facts.health()],
                'rpc': self.host_facts.rpc.heard(),
                'aggregates_unknown': self.host_facts.aggregates_unknown(),
                'missing': self.host_facts.missing_reasons()}

    def select_destinations(self, context, spec, instance_uuids=None,
                            return_alternates=False, on_candidates=None):
        """One list of ``Selection`` per instance; NoValidHost says why."""
        try:
            return self.driver.select_destinations(
                context, spec, instance_uuids, return_alternates,
                on_candidates=on_candidates)
        except exception.NoValidHost as e:
            # The caller gets the reason too; the operator sees it here,
            # once per request (Placement failures are also at ERROR).
            LOG.info('No valid host for %(n)d instance(s) of flavor '
                     '%(flavor)s: %(reason)s',
                     {'n': spec.num_instances, 'flavor': spec.flavor.name,
                      'reason': e.detail or e.reason})
            raise

    def plan_destinations(self, context, spec, count, explain=False):
        """A dry run: where the instances would go; claims nothing.

        A ``scheduler.drivers.dry_run.Plan`` (the driver must have dry
        runs: the built-in one does).
        """
        return self.driver.plan_destinations(context, spec, count, explain)

    def plan_capacity(self, context, spec, limit, max_per_host, seconds):
        """How many more instances of ``spec`` fit now; claims nothing."""
        return self.driver.plan_capacity(context, spec, limit, max_per_host,
                                         seconds)

    def update_aggregates(self, context, aggregates):
        self.host_facts.update_aggregates(aggregates)

    def delete_aggregate(self, context, aggregate):
        self.host_facts.delete_aggregate(aggregate)

    def update_instance_info(self, context, host_name, instance_info):
        self.host_facts.update_instances(host_name, instance_info)

    def delete_instance_info(self, context, host_name, instance_uuid):
        self.host_facts.delete_instance(host_name, instance_uuid)

    def sync_instance_info(self, context, host_name, instance_uuids):
        self.host_facts.sync_instances(host_name, instance_uuids or [])
