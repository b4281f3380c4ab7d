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

"""A workload replayed over simulated time against the real scheduler.

Events run in simulated-time order; the clock jumps from one to the next.
A create asks ``select_destinations`` as a conductor does (the scheduler
claims in Placement); each placed instance is then reported by its
"compute" with ``update_instance_info``, as Nova's computes cast it, so
the filters see it. A departure deletes the instance's allocations in
Placement, as a delete does, and casts ``delete_instance_info``. A resize
moves the instance's allocations to a migration consumer, asks for the new
flavor on another host, and confirms (drops the migration's allocations)
or reverts (moves them back), as Nova's conductor does with Placement.
"""

import collections
import heapq
import time
import uuid

import numpy as np
from oslo_context import context as oslo_context

from scheduler import exception
from scheduler.host_state import facts
from scheduler.objects import request_spec
from scheduler.observe import metrics
from scheduler.placement import decoding
from scheduler.rpc import server as rpc_server
from scheduler.sim import cloud as sim_cloud
from scheduler.sim import direct
from scheduler.sim import ledger as sim_ledger
from scheduler.sim import results
from scheduler.sim import workload as sim_workload

PROJECT = 'sim-project'
USER = 'sim-user'
_NAMESPACE = uuid.UUID('6d1b5c1e-8a1f-4f7e-9a55-3c1e2b1f0a11')
# Heap order at one instant: samples first, then departures, then the
# workload's own events.
_SAMPLE, _DEPART, _RESIZE, _EVENT = range(4)


class CauseRecorder(metrics.Recorder):
    """Keeps what the driver reports of the last request: why it ended."""

    def __init__(self):
        self.cause = None
        self.steps = collections.Counter()

    def request_done(self, request, seconds, error=None):
        for step, spent in request.timings.items():
            self.steps[step] += spent
        if error is None:
            self.cause = None
            return
        stage, name = metrics.stage_of(request)
        if isinstance(error, exception.PlacementError):
            stage = 'placement_%s' % metrics.kind_label(error)
        self.cause = 'filter:%s' % name if name else stage


def check_flavors(workload, cloud):
    """Raise WorkloadError if the workload names a flavor the cloud lacks."""
    unknown = [n for n in workload.flavors if n not in cloud.flavors]
    if unknown:
        raise sim_workload.WorkloadError(
            '%s asks for flavor(s) %s, which the cloud does not have (it '
            'has: %s)' % (workload.name, ', '.join(repr(n) for n in unknown),
                          ', '.join(sorted(cloud.flavors)) or 'none'))


class Instance:
    def __init__(self, uuid, host, flavor):
        self.uuid = uuid
        self.host = host
        self.flavor = flavor


class Replay:
    """Replays ``workload`` through ``simulation`` (started), once."""

    def __init__(self, simulation, workload, name, config_files=()):
        self.sim = simulation
        self.workload = workload
        self.name = name
        self.config_files = list(config_files)
        self.api = sim_cloud.placement_adapter(simulation.placement.endpoint)
        self.client = direct.DirectClient(rpc_server.SchedulerEndpoint(
            simulation.manager, simulation.conf))
        self.recorder = CauseRecorder()
        driver = simulation.manager.driver
        driver.recorder = self.recorder
        # The scheduler's own randomness (host_subset_size, shuffles) is
        # drawn from the seed too: a run is the same run twice.
        driver.rng = np.random.default_rng(workload.seed)
        self.ctxt = oslo_context.RequestContext(
            project_id=PROJECT, user_id=USER, is_admin=False)
        check_flavors(workload, simulation.cloud)
        self.flavors = {n: sim_ledger.flavor_resources(
            simulation.cloud.flavors[n]) for n in workload.flavors}
        self.ledger = sim_ledger.Ledger(self.api)
        self.alive = {}            # create key -> [Instance]
        self.groups = {}           # create key -> InstanceGroup
        self.heap = []
        self.samples = []
        self.requests = []
        self.scheduler_s = 0.0
        self.placement_s = 0.0
        self.events = 0

    # -- helpers --------------------------------------------------------

    def _uuid(self, *parts):
        return str(uuid.uuid5(_NAMESPACE, '/'.join(str(p) for p in parts)))

    def _push(self, t, order, item):
        heapq.heappush(self.heap, (t, order, len(self.heap), item))

    def _timed_scheduler(self, call, *args):
        start = time.perf_counter()
        try:
            return call(*args)
        finally:
            self.scheduler_s += time.perf_counter() - start

    def _placement(self, method, url, **kwargs):
        start = time.perf_counter()
        try:
            return getattr(self.api, method)(url, **kwargs)
        finally:
            self.placement_s += time.perf_counter() - start

    def _instance_count(self):
        return sum(len(v) for v in self.alive.values())

    def _record(self, t, kind, flavor, count, placed, reason, started):
        self.requests.append(results.RequestRecord(
            t=t, kind=kind, flavor=flavor, count=count, placed=placed,
            cause=None if placed else (self.recorder.cause or 'unknown'),
            reason=reason, scheduler_ms=(time.perf_counter() - started)
            * 1000))

    def _ask(self, spec, uuids):
        """Selections per instance, or the NoValidHost's reason."""
        try:
            return self._timed_scheduler(
                self.client.select_destinations, self.ctxt, spec, uuids), None
        except exception.NoValidHost as e:
            return None, e.reason

    def _report(self, host, instances):
        self._timed_scheduler(
            self.client.update_instance_info, self.ctxt, host,
            [facts.InstanceFacts(uuid=i.uuid, project_id=PROJECT,
                                 flavor_id=i.flavor, vm_state='active')
             for i in instances])

    def _book(self, selection, consumer):
        allocations = decoding.loads(selection.allocation_request)[
            'allocations']
        self.ledger.add(consumer, {
            rp: dict(a['resources']) for rp, a in allocations.items()})

    # -- events ---------------------------------------------------------

    def _spec(self, event, flavor, group):
        hints = {k: v if isinstance(v, list) else [v]
                 for k, v in event.hints.items()}
        return request_spec.RequestSpec(
            flavor=self.sim.cloud.flavors[flavor], project_id=PROJECT,
            user_id=USER, num_instances=event.count,
            availability_zone=event.availability_zone,
            scheduler_hints=hints, instance_group=group)

    def _create(self, t, event):
        group = None
        uuids = [self._uuid(event.key, n) for n in range(event.count)]
        if event.group:
            group = request_spec.InstanceGroup(
                uuid=self._uuid('group', event.key), policy=event.group,
                members=list(uuids))
            self.groups[event.key] = group
        started = time.perf_counter()
        selections, reason = self._ask(
            self._spec(event, event.flavor, group), uuids)
        self._record(t, 'create', event.flavor, event.count,
                     selections is not None, reason, started)
        if selections is None:
            return
        placed = []
        by_host = collections.defaultdict(list)
        for instance_uuid, choices in zip(uuids, selections):
            instance = Instance(instance_uuid, choices[0].service_host,
                                event.flavor)
            self._book(choices[0], instance_uuid)
            placed.append(instance)
            by_host[instance.host].append(instance)
        for host, instances in by_host.items():
            self._report(host, instances)
        if group is not None:
            group.hosts = sorted(by_host)
        self.alive[event.key] = placed
        if event.lifetime is not None:
            self._push(t + event.lifetime, _DEPART, event.key)
        if event.resize_to and (event.lifetime is None or
                                event.resize_after < event.lifetime):
            self._push(t + event.resize_after, _RESIZE, event)

    def _delete(self, key):
        for instance in self.alive.pop(key, []):
            self._placement('delete', '/allocations/%s' % instance.uuid)
            self.ledger.remove(instance.uuid)
            self._timed_scheduler(self.client.delete_instance_info,
                                  self.ctxt, instance.host, instance.uuid)
        group = self.groups.pop(key, None)
        if group is not None:
            group.members, group.hosts = [], []

    def _move(self, source, target, allocations, target_generation):
        """Move ``allocations`` of consumer ``source`` to ``target``."""
        body = {
            source: {'allocations': {}, 'project_id': PROJECT,
                     'user_id': USER, 'consumer_generation': None},
            target: {'allocations': {rp: {'resources': r} for rp, r in
                                     allocations.items()},
                     'project_id': PROJECT, 'user_id': USER,
                     'consumer_generation': target_generation}}
        current = self._placement('get', '/allocations/%s' % source).json()
        body[source]['consumer_generation'] = current.get(
            'consumer_generation')
        self._placement('post', '/allocations', json=body)

    def _resize(self, t, event):
        instances = self.alive.get(event.key)
        if not instances:
            return
        flavor = event.resize_to
        for instance in instances:
            migration = self._uuid('migration', instance.uuid, t)
            allocations = self.ledger.remove(instance.uuid)
            self._move(instance.uuid, migration, allocations, None)
            spec = self._spec(event, flavor, self.groups.get(event.key))
            spec.num_instances = 1
            spec.instance_uuid = instance.uuid
            spec.ignore_hosts = [instance.host]
            started = time.perf_counter()
            selections, reason = self._ask(spec, [instance.uuid])
            self._record(t, 'resize', flavor, 1, selections is not None,
                         reason, started)
            if selections is None:
                # Revert: the instance keeps its source host and flavor.
                self._move(migration, instance.uuid, allocations, None)
                self.ledger.add(instance.uuid, allocations)
                continue
            # Confirm: the source's allocations (the migration's) go.
            self._placement('delete', '/allocations/%s' % migration)
            self._book(selections[0][0], instance.uuid)
            self._timed_scheduler(self.client.delete_instance_info,
                                  self.ctxt, instance.host, instance.uuid)
            instance.host = selections[0][0].service_host
            instance.flavor = flavor
            self._report(instance.host, [instance])

    def _sample(self, t):
        self.samples.append(self.ledger.sample(
            t, self.flavors, self._instance_count()))

    # -- the run --------------------------------------------------------

    def _start_hosts(self):
        """As computes starting: each reports its whole instance list.

        A host's instances already in the cloud (a snapshot's) are first
        reported with their facts, then synced; the aggregates (the
        cloud's, and one per host-group zone) are cast as Nova's API
        casts them.
        """
        known = getattr(self.sim.cloud, 'instances', None) or {}
        for root in self.ledger.roots:
            name = self.ledger.names[root]
            instances = known.get(name) or []
            if instances:
                self._timed_scheduler(self.client.update_instance_info,
                                      self.ctxt, name, instances)
            self._timed_scheduler(self.client.sync_instance_info, self.ctxt,
                                  name, [i.uuid for i in instances])
        aggregates = self._start_aggregates()
        if aggregates:
            self._timed_scheduler(self.client.update_aggregates, self.ctxt,
                                  aggregates)

    def _start_aggregates(self):
        """The cloud's aggregates, then one per host-group zone."""
        own = list(getattr(self.sim.cloud, 'aggregates', None) or [])
        zones = collections.defaultdict(set)
        for host in self.sim.cloud.hosts:
            if getattr(host, 'availability_zone', None):
                zones[host.availability_zone].add(host.name)
        first = max((a.id or 0 for a in own), default=0) + 1
        return own + [
            facts.AggregateFacts(
                id=n, uuid=sim_cloud.zone_aggregate_uuid(zone), name=zone,
                hosts=frozenset(hosts),
                metadata={'availability_zone': zone})
            for n, (zone, hosts) in enumerate(sorted(zones.items()), first)]

    def run(self, progress=None):
        """Replay every event; the ``RunResult``."""
        self._start_hosts()
        for event in self.workload.events:
            self._push(event.t, _EVENT, event)
        t, every = 0.0, self.workload.sample_every
        while t <= self.workload.duration:
            self._push(t, _SAMPLE, None)
            t += every
        done = 0
        started = time.perf_counter()
        self.scheduler_s = self.placement_s = 0.0
        while self.heap and self.heap[0][0] <= self.workload.duration:
            t, order, _, item = heapq.heappop(self.heap)
            self._dispatch(t, order, item)
            if order != _SAMPLE:
                self.events += 1
            done += 1
            if progress is not None:
                progress(done, done + len(self.heap))
        if not self.samples or order != _SAMPLE:
            # The cloud as the last events left it.
            self._sample(self.workload.duration)
        return self._result(time.perf_counter() - started)

    def _dispatch(self, t, order, item):
        if order == _SAMPLE:
            self._sample(t)
        elif order == _DEPART:
            self._delete(item)
        elif order == _RESIZE:
            self._resize(t, item)
        elif item.op == sim_workload.CREATE:
            self._create(t, item)
        elif item.op == sim_workload.DELETE:
            self._delete(item.key)
        else:
            self._resize(t, item)

    def _result(self, wall):
        events = self.events
        own = max(wall - self.scheduler_s - self.placement_s, 0.0)
        return results.RunResult(
            name=self.name, config_files=self.config_files,
            scenario=self.workload.name, seed=self.workload.seed,
            hosts=len(self.ledger.roots), flavors=self.flavors,
            samples=self.samples, requests=self.requests,
            instances_per_host=self.ledger.instances_per_host(
                i.host for v in self.alive.values() for i in v),
            alive=self._instance_count(),
            timing={'events': events, 'wall_s': wall,
                    'scheduler_s': self.scheduler_s,
                    'placement_s': self.placement_s, 'simulator_s': own,
                    'events_per_s': events / wall if wall else 0.0,
                    'steps': dict(self.recorder.steps)})
