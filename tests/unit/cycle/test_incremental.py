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

"""A multi-create decides the same with answers kept between instances.

Each case is a seeded random cloud and request, placed instance after
instance as the driver does (filter, weigh, rank, consume), once with the
handlers keeping the per-host plugins' answers (``incremental``) and once
asking every plugin about every host for every instance. Chosen hosts,
orders, weights (exactly: the kept shares are the numbers the handler
computes, added in the same order), filter steps, host fates and the
NoValidHost that ends a request are compared.
"""

import collections
import random

import numpy as np
import pytest

from scheduler.cycle import filter as filter_step
from scheduler.cycle import rank as rank_step
from scheduler.cycle import request as cycle_request
from scheduler.cycle import weigh as weigh_step
from scheduler import exception
from scheduler.filters import base as filter_base
from scheduler.filters import handler as filter_handler
from scheduler import host_scope
from scheduler.host_state import facts as host_facts
from scheduler.objects import numa_pci
from scheduler import plugins
from scheduler.weighers import base as weigher_base
from scheduler.weighers import handler as weight_handler
from scheduler.weighers import reuse
from tests.unit.filters import helpers
from tests.unit.host_state import fakes

FILTERS = ['ComputeFilter', 'AggregateIoOpsFilter', 'NumInstancesFilter',
           'MetricsFilter', 'JsonFilter', 'PciPassthroughFilter',
           'ServerGroupAntiAffinityFilter', 'ServerGroupAffinityFilter']
POLICIES = [None, 'affinity', 'anti-affinity', 'soft-affinity',
            'soft-anti-affinity']
MULTIPLIER_KEYS = ['ram_weight_multiplier', 'cpu_weight_multiplier',
                   'io_ops_weight_multiplier', 'metrics_weight_multiplier',
                   'soft_affinity_weight_multiplier', 'pci_weight_multiplier']


class RoomyFilter(filter_base.BaseHostFilter):
    """Third party, one host at a time: enough RAM left for two more."""

    per_host = host_scope.STATE

    def host_passes(self, host_state, spec):
        return host_state.free('MEMORY_MB') >= 2 * spec.flavor.memory_mb


class OddFilter(filter_base.ColumnFilter):
    """Third party, on columns, declared fixed: not the hosts named odd."""

    per_host = host_scope.FIXED

    def filter_mask(self, host_set, spec):
        return np.array([int(name.split('-')[1]) % 7 != 3
                         for name in host_set.host_names])


class FewPlacedFilter(filter_base.BaseHostFilter):
    """Third party, declaring nothing: at most 3 instances per host."""

    def host_passes(self, host_state, spec):
        return host_state.placed < 3


class FreeRamWeigher(weigher_base.BaseHostWeigher):
    """Third party, one host at a time, declared: its free RAM."""

    per_host = host_scope.STATE

    def weight_multiplier(self, host_state):
        return 0.5 if host_state.host.endswith('1') else 1.5

    def _weigh_object(self, host_state, spec):
        return float(host_state.free('MEMORY_MB'))


class SpreadWeigher(weigher_base.BaseHostWeigher):
    """Third party, declaring nothing: fewer instances placed first."""

    maxval = 2

    def _weigh_object(self, host_state, spec):
        return -float(host_state.placed)


def _compute(rnd, members):
    if rnd.random() < 0.15:
        return None
    return host_facts.ComputeFacts(
        service_up=rnd.random() > 0.05, service_disabled=False,
        hypervisor_version=rnd.choice([6000000, 7000000, 8000000]),
        stats={'num_io_ops': rnd.randint(0, 6),
               'num_instances': rnd.randint(0, 20),
               'failed_builds': rnd.choice([0, 0, 0, 1, 3])},
        metrics=({'cpu.percent': rnd.random()}
                 if rnd.random() < 0.9 else {}),
        pci_pools=([{'vendor_id': '8086', 'product_id': '1520',
                     'count': rnd.randint(0, 4), 'numa_node': 0}]
                   if rnd.random() < 0.7 else []))


def _aggregates(rnd):
    result = []
    for i in range(rnd.randint(1, 4)):
        metadata = {}
        for key in MULTIPLIER_KEYS:
            if rnd.random() < 0.3:
                metadata[key] = rnd.choice(['0', '2.5', '-1', '0.5'])
        if rnd.random() < 0.3:
            metadata['max_io_ops_per_host'] = str(rnd.randint(2, 8))
        result.append(helpers.aggregate(i, metadata))
    return result


def _cloud(seed):
    """``(hosts, facts, members)``: make_host_set's hosts and facts."""
    rnd = random.Random(seed)
    aggregates = _aggregates(rnd)
    members = ['member-%d' % i for i in range(6)]
    hosts, facts = [], {}
    for i in range(rnd.randint(2, 40)):
        name = 'host-%d' % i
        ram = rnd.choice([2048, 4096, 8192, 16384])
        hosts.append({'name': name,
                      'capacity': {'VCPU': rnd.choice([2, 4, 8]),
                                   'MEMORY_MB': ram,
                                   'DISK_GB': rnd.choice([40, 100, 400])},
                      'used': {'MEMORY_MB': rnd.choice([0, 0, 1024])}})
        if rnd.random() < 0.1:
            continue  # No source knows this host.
        instances = {u: host_facts.InstanceFacts(uuid=u)
                     for u in rnd.sample(members, rnd.randint(0, 2))}
        facts[name] = host_facts.HostFacts(
            aggregates=tuple(a for a in aggregates if rnd.random() < 0.4),
            instances=instances, instances_known=rnd.random() < 0.9,
            compute=_compute(rnd, members))
    return hosts, facts, members


def _twins(seed):
    """``_cloud``'s like, of hosts alike but for their RAM: ties."""
    rnd = random.Random(seed)
    hosts, facts = [], {}
    compute = host_facts.ComputeFacts(
        service_up=True, service_disabled=False,
        hypervisor_version=7000000,
        stats={'num_io_ops': 1, 'num_instances': 2, 'failed_builds': 0},
        metrics={'cpu.percent': 0.5})
    for i in range(rnd.randint(2, 30)):
        name = 'host-%d' % i
        hosts.append({'name': name,
                      'capacity': {'VCPU': 4,
                                   'MEMORY_MB': rnd.choice([4096, 8192]),
                                   'DISK_GB': 100}})
        facts[name] = host_facts.HostFacts(instances={}, compute=compute)
    return hosts, facts, ['member-%d' % i for i in range(6)]


def _spec(rnd, hosts, members):
    policy = rnd.choice(POLICIES)
    group = None
    if policy is not None:
        group = helpers.group(
            policy, hosts=rnd.sample([h['name'] for h in hosts],
                                     rnd.randint(0, 1)),
            members=rnd.sample(members, rnd.randint(0, 4)),
            rules=({'max_server_per_host': 2}
                   if rnd.random() < 0.3 else None))
    hints = {}
    if rnd.random() < 0.3:
        hints['query'] = '[">=", "$free_ram_mb", 2048]'
    spec = helpers.spec(group=group, hints=hints,
                        instance_uuid='instance-0')
    if rnd.random() < 0.2:
        spec.pci_requests = [numa_pci.PCIRequest(
            count=1, spec=[{'vendor_id': '8086'}])]
    return spec


def _conf(rnd):
    options = {key: rnd.choice([1.0, -1.0, 0.0, 2.0])
               for key in ['ram_weight_multiplier', 'cpu_weight_multiplier',
                           'disk_weight_multiplier',
                           'io_ops_weight_multiplier',
                           'num_instances_weight_multiplier']}
    # These may not be negative.
    options.update({key: rnd.choice([1.0, 0.0, 2.0])
                    for key in ['soft_affinity_weight_multiplier',
                                'soft_anti_affinity_weight_multiplier',
                                'pci_weight_multiplier']})
    options.update(host_subset_size=rnd.choice([1, 1, 2, 5]),
                   shuffle_best_same_weighed_hosts=rnd.random() < 0.3,
                   max_io_ops_per_host=rnd.randint(3, 8),
                   max_instances_per_host=rnd.randint(10, 30))
    conf = fakes.make_conf(
        filter_scheduler=options, host_facts={'sources': ['nova_db']},
        metrics={'weight_setting': ['cpu.percent=1.0'],
                 'weight_multiplier': rnd.choice([1.0, -1.0]),
                 'required': rnd.random() < 0.5})
    return conf


def _handlers(conf, incremental, undeclared=True):
    filters = plugins.load_named(plugins.FILTER_NAMESPACE, FILTERS, conf,
                                 interface=filter_base.BaseHostFilter)
    filters += [('RoomyFilter', RoomyFilter(conf)),
                ('OddFilter', OddFilter(conf)),
                ('FewPlacedFilter', FewPlacedFilter(conf))]
    weighers = plugins.load_all(plugins.WEIGHER_NAMESPACE, conf,
                                interface=weigher_base.BaseHostWeigher)
    weighers.insert(2, ('FreeRamWeigher', FreeRamWeigher(conf)))
    if undeclared:
        # Every weight summed again for every instance.
        weighers.append(('SpreadWeigher', SpreadWeigher(conf)))
    return (filter_handler.FilterHandler(conf, filters,
                                         incremental=incremental),
            weight_handler.WeightHandler(conf, weighers,
                                         incremental=incremental))


def _multi_create(seed, incremental, count=12, undeclared=True,
                  cloud=_cloud):
    """What each instance saw, as the driver's steps place them."""
    rnd = random.Random(seed)
    hosts, facts, members = cloud(seed)
    conf = _conf(rnd)
    spec = _spec(rnd, hosts, members)
    filters, weighers = _handlers(conf, incremental, undeclared)
    request = cycle_request.Request(spec, ['i-%d' % i
                                           for i in range(count)])
    request.host_set = fakes.make_host_set(hosts, facts=facts)
    rng = np.random.default_rng(seed)
    seen = []
    for index in range(count):
        try:
            indices = filter_step.run(request, filters, index)
        except exception.NoValidHost as e:
            seen.append(('NoValidHost', str(e), _trace(request.trace)))
            break
        weights = weigh_step.run(request, weighers, indices, index)
        order = rank_step.run(request, indices, weights,
                              conf.filter_scheduler, rng)
        chosen = int(order[0])
        host = request.host_set.hosts[chosen]
        seen.append((indices.tolist(), weights, list(order),
                     _trace(request.trace)))
        request.host_set.consume(chosen, host.fitting_request())
    return seen


def _trace(trace):
    return ([(s.name, s.before, s.after, s.why) for s in trace.steps],
            trace.fate.tolist(), trace.reason())


def _assert_same(kept, fresh):
    assert len(kept) == len(fresh)
    for step_kept, step_fresh in zip(kept, fresh):
        if step_fresh[0] == 'NoValidHost':
            assert step_kept == step_fresh
            continue
        indices, weights, order, trace = step_kept
        assert indices == step_fresh[0]
        # Exact: the same numbers, normalised and added in the same order.
        np.testing.assert_array_equal(weights, step_fresh[1])
        assert order == step_fresh[2]
        assert trace == step_fresh[3]


@pytest.mark.parametrize('seed', range(60))
def test_kept_answers_decide_as_asking_every_plugin_again(seed):
    _assert_same(_multi_create(seed, True), _multi_create(seed, False))


def test_the_cases_run_out_of_hosts_and_weigh_hosts_lacking_facts():
    # The cases are worth comparing: some end in NoValidHost, some weigh
    # more than one host for many instances.
    ends = [_multi_create(seed, True)[-1][0] for seed in range(60)]
    assert ends.count('NoValidHost') >= 5
    assert sum(1 for end in ends if end != 'NoValidHost') >= 5


def test_a_declared_filter_is_asked_only_about_hosts_consumed_since():
    asked = []

    class Counting(RoomyFilter):
        def host_passes(self, host_state, spec):
            asked.append(host_state.host)
            return super().host_passes(host_state, spec)

    hosts = [{'name': 'host-%d' % i,
              'capacity': {'VCPU': 8, 'MEMORY_MB': 8192, 'DISK_GB': 100}}
             for i in range(5)]
    host_set = fakes.make_host_set(hosts, facts=fakes.services_up(hosts))
    handler = filter_handler.FilterHandler(
        fakes.make_conf(), [('Counting', Counting())])
    mask, _trace = handler.run(host_set, helpers.spec())
    assert len(asked) == 5
    host_set.consume(2, host_set.hosts[2].fitting_request())
    del asked[:]
    mask, _trace = handler.run(host_set, helpers.spec(), mask, 1)
    # A new spec: a new request, every host asked again.
    assert len(asked) == 5
    spec = helpers.spec()
    handler.run(host_set, spec, None, 0)
    host_set.consume(2, host_set.hosts[2].fitting_request())
    del asked[:]
    handler.run(host_set, spec, mask, 1)
    assert asked == ['host-2']


def test_an_undeclared_weigher_is_asked_about_every_host_each_time():
    asked = []

    class Counting(SpreadWeigher):
        def _weigh_object(self, host_state, spec):
            asked.append(host_state.host)
            return super()._weigh_object(host_state, spec)

    class CountingDeclared(Counting):
        per_host = host_scope.FIXED

    hosts = [{'name': 'host-%d' % i,
              'capacity': {'VCPU': 8, 'MEMORY_MB': 8192, 'DISK_GB': 100}}
             for i in range(4)]
    spec = helpers.spec()
    for weigher, second in ((Counting(), 4), (CountingDeclared(), 0)):
        host_set = fakes.make_host_set(hosts, facts=fakes.services_up(hosts))
        handler = weight_handler.WeightHandler(fakes.make_conf(),
                                               [('w', weigher)])
        handler.weigh(host_set, spec, np.arange(4))
        host_set.consume(0, host_set.hosts[0].fitting_request())
        handler.weigh(host_set, spec, np.arange(4))
        del asked[:]
        host_set.consume(1, host_set.hosts[1].fitting_request())
        handler.weigh(host_set, spec, np.arange(4))
        assert len(asked) == second


@pytest.mark.parametrize('seed', range(40))
@pytest.mark.parametrize('undeclared,more', [(True, False), (False, True)])
def test_kept_weights_are_the_handlers_for_any_hosts_weighed(
        seed, undeclared, more):
    # Hosts weighed come and go (not only fewer each time), some are
    # consumed on between two weighings; with every weigher declared,
    # the totals of the hosts not asked again are kept.
    rnd = random.Random(seed)
    hosts, facts, members = _cloud(seed)
    conf = _conf(rnd)
    spec = _spec(rnd, hosts, members)
    sets = [fakes.make_host_set(hosts, facts=facts) for _ in range(2)]
    handlers = [_handlers(conf, incremental, undeclared)[1]
                for incremental in (True, False)]
    for _ in range(10):
        indices = np.array(sorted(rnd.sample(range(len(hosts)),
                                             rnd.randint(0, len(hosts)))),
                           dtype=np.intp)
        kept, fresh = (_weights_or_refusal(handler, host_set, spec, indices,
                                           more)
                       for handler, host_set in zip(handlers, sets))
        np.testing.assert_array_equal(kept, fresh)
        for i in rnd.sample(range(len(hosts)),
                            rnd.randint(0, min(3, len(hosts)))):
            request = sets[0].hosts[i].fitting_request()
            if request is not None:
                for host_set in sets:
                    host_set.consume(i, host_set.hosts[i].fitting_request())


def _weights_or_refusal(handler, host_set, spec, indices, more=False):
    # [metrics] required: a host weighed lacking a metric refuses.
    try:
        return handler.weigh(host_set, spec, indices, more=more)
    except exception.NoValidHost as e:
        return np.array([str(e)])


def test_a_weigher_switched_off_for_every_host_weighed_is_not_asked():
    asked = []

    class OnlyHost0(FreeRamWeigher):
        per_host = host_scope.FIXED

        def weight_multiplier(self, host_state):
            return 1.0 if host_state.host == 'host-0' else 0.0

        def _weigh_object(self, host_state, spec):
            asked.append(host_state.host)
            return super()._weigh_object(host_state, spec)

    hosts = [{'name': 'host-%d' % i,
              'capacity': {'VCPU': 8, 'MEMORY_MB': 8192 * (i + 1),
                           'DISK_GB': 100}}
             for i in range(4)]
    conf = fakes.make_conf()
    spec = helpers.spec()
    sets = [fakes.make_host_set(hosts, facts=fakes.services_up(hosts))
            for _ in range(2)]
    handlers = [weight_handler.WeightHandler(
        conf, [('only', OnlyHost0(conf)), ('spread', SpreadWeigher(conf))],
        incremental=incremental) for incremental in (True, False)]
    for indices, wanted in (([0, 1, 2, 3], 4), ([1, 2, 3], 0),
                            ([0, 2, 3], 3), ([2, 3], 0)):
        for host_set in sets:
            host_set.consume(3, host_set.hosts[3].fitting_request())
        del asked[:]
        kept = handlers[0].weigh(sets[0], spec, indices)
        assert len(asked) == wanted
        np.testing.assert_array_equal(
            kept, handlers[1].weigh(sets[1], spec, indices))


@pytest.mark.parametrize('cloud', [_cloud, _twins])
@pytest.mark.parametrize('seed', range(60, 100))
def test_kept_totals_decide_as_asking_every_weigher_again(seed, cloud):
    # Every weigher declared: the totals of the hosts not consumed on are
    # kept while no bound moves. Longer requests, to run out of room;
    # hosts alike, for ties.
    _assert_same(_multi_create(seed, True, 30, False, cloud),
                 _multi_create(seed, False, 30, False, cloud))


def test_the_cases_keep_totals_and_move_bounds(monkeypatch):
    # The comparisons above are worth it: totals kept host by host for
    # many instances, whole rows computed again (bounds moved) for many,
    # with ties for the best weight and host_subset_size > 1 among them.
    seen = collections.Counter()
    for name in ('_few', '_row'):
        def spy(self, *args, _name=name, _real=getattr(
                reuse.StackedWeights, name)):
            seen[_name] += 1
            return _real(self, *args)
        monkeypatch.setattr(reuse.StackedWeights, name, spy)
    for seed in range(60, 100):
        for cloud in (_cloud, _twins):
            for step in _multi_create(seed, True, 30, False, cloud):
                if step[0] != 'NoValidHost' and len(step[1]) > 1:
                    best = np.asarray(step[1]).max()
                    seen['tied'] += int(
                        np.count_nonzero(step[1] == best) > 1)
        conf = _conf(random.Random(seed))
        seen['subset'] += conf.filter_scheduler.host_subset_size > 1
    assert seen['_few'] >= 150
    assert seen['_row'] >= 150
    assert seen['tied'] >= 50
    assert seen['subset'] >= 5


def test_a_multi_create_keeps_weights_from_its_first_instance():
    asked = []

    class Counting(FreeRamWeigher):
        def _weigh_object(self, host_state, spec):
            asked.append(host_state.host)
            return super()._weigh_object(host_state, spec)

    class CountingFixed(Counting):
        per_host = host_scope.FIXED

    hosts = [{'name': 'host-%d' % i,
              'capacity': {'VCPU': 8, 'MEMORY_MB': 8192 * (i + 1),
                           'DISK_GB': 100}}
             for i in range(4)]
    conf = fakes.make_conf()
    # Two weighers of each scope: the rows are asked together.
    weighers = [(name, kind(conf)) for name, kind in (
        ('a', Counting), ('b', CountingFixed), ('c', Counting),
        ('d', CountingFixed))]
    for count, second in ((2, 2), (1, 16)):
        request = cycle_request.Request(helpers.spec(), ['i-%d' % i
                                                         for i in range(2)])
        # As the driver: the weights are kept when more instances follow.
        request.count = count
        request.host_set = fakes.make_host_set(
            hosts, facts=fakes.services_up(hosts))
        handler = weight_handler.WeightHandler(conf, weighers)
        weigh_step.run(request, handler, np.arange(4), 0)
        assert len(asked) == 16
        request.host_set.consume(3, request.host_set.hosts[3]
                                 .fitting_request())
        del asked[:]
        handler.weigh(request.host_set, request.spec, np.arange(4))
        # The declared state weighers about the host consumed on only,
        # or every weigher about every host for a single request.
        assert len(asked) == second
        del asked[:]
