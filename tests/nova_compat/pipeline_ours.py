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

"""Our side of the pipeline comparison: plain cases -> our filters/weighers.

Runs in a process of its own (``python -m tests.nova_compat.pipeline_ours``
reads a JSON job on stdin and writes JSON results on stdout), since
``scheduler.conf`` and Nova cannot share ``cfg.CONF``. Jobs:

- ``compare``: for each case, the hosts that pass and every passing host's
  weight, best first;
- ``multi``: the same for each instance of a multi-create;
- ``bench``: milliseconds per request over host sets of given sizes (see
  ``tools/bench_pipeline.py``), what recording a request's metrics costs
  (off and on), and a multi-create, with a single request over its
  hosts to compare it with.
"""

import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import types

import msgspec

from scheduler import conf as scheduler_conf
from scheduler.cycle import rank as cycle_rank
from scheduler.cycle import request as cycle_request
from scheduler.filters import handler as filter_handler
from scheduler.host_state import builder
from scheduler.host_state import facts as hf
from scheduler.host_state import host_set as host_sets
from scheduler.host_state import host_state as hs
from scheduler.objects import request_spec as rs
from scheduler.observe import exporter
from scheduler.observe import metrics
from scheduler.placement import candidates
from scheduler.request_filters import compute_status
from scheduler.weighers import handler as weight_handler
from tests.nova_compat import pipeline_cases

CONF = scheduler_conf.CONF
# What the always-on ComputeStatusFilter request filter forbids, as the
# driver passes it on to the builder.
ROOT_FORBIDDEN = frozenset([compute_status.DISABLED])


def make_spec(plain):
    group = None
    if plain['group']:
        g = plain['group']
        group = rs.InstanceGroup(uuid=g['uuid'], policy=g['policy'],
                                 hosts=list(g['hosts']),
                                 members=list(g['members']))
    return rs.RequestSpec(
        flavor=rs.Flavor(vcpus=plain['vcpus'], memory_mb=plain['memory_mb'],
                         root_gb=plain['root_gb'], name='bench',
                         flavorid='bench',
                         extra_specs=dict(plain['extra_specs'])),
        project_id=plain['project_id'], user_id='bench-user',
        instance_uuid=plain['instance_uuid'],
        image=rs.Image(id='bench-image',
                       properties=dict(plain['image_props'])),
        instance_group=group,
        scheduler_hints={k: list(v) for k, v in
                         plain.get('hints', {}).items()})


def _compute(host):
    return hf.ComputeFacts(
        hypervisor_type=host['hv_type'],
        hypervisor_version=host['hv_version'],
        hypervisor_hostname=host['name'],
        cpu_info={'arch': host['arch']},
        supported_instances=[[host['arch'], host['hv_type'].lower(), 'hvm']],
        pci_pools=([{'vendor_id': '8086', 'product_id': '1520',
                     'count': host['pci'], 'numa_node': 0}]
                   if host['pci'] else []),
        metrics=dict(host['metrics']),
        stats={'num_io_ops': host['io_ops'],
               'num_instances': host['num_instances'],
               'failed_builds': host['failed_builds']},
        service_up=True, service_disabled=host['disabled'])


def make_host_states(hosts, aggregates, spec):
    """HostStates for ``hosts``, each with one allocation request."""
    aggs = [hf.AggregateFacts(id=a['id'], uuid=a['uuid'], name=a['name'],
                              hosts=frozenset(a['hosts']),
                              metadata=dict(a['metadata']))
            for a in aggregates]
    request = {'VCPU': spec['vcpus'], 'MEMORY_MB': spec['memory_mb'],
               'DISK_GB': spec['root_gb']}
    result = []
    for host in hosts:
        rp = host['uuid']
        providers = {rp: {
            'VCPU': {'capacity': host['vcpus'], 'used': host['vcpus_used']},
            'MEMORY_MB': {'capacity': host['ram_mb'],
                          'used': host['ram_used']},
            'DISK_GB': {'capacity': host['disk_gb'],
                        'used': host['disk_used']}}}
        facts = hf.HostFacts(
            aggregates=tuple(aggs[n] for n in host['aggregates']),
            instances={u: hf.InstanceFacts(uuid=u)
                       for u in host['instances']},
            # Nova's host state holds the whole list; so does ours here.
            instances_known=True,
            compute=_compute(host), cell_uuid=host['cell'])
        traits = {'COMPUTE_NODE'}
        if host['disabled']:
            traits.add(hs.DISABLED_TRAIT)
        result.append(hs.HostState(
            rp, host['name'], host['name'], host['cell'], providers,
            traits=traits, aggregates={aggs[n].uuid
                                       for n in host['aggregates']},
            allocation_requests=[{'allocations': {
                rp: {'resources': dict(request)}}}],
            facts=facts))
    return result


class Pipeline:
    """Our configured filters and weighers."""

    def __init__(self, overrides):
        CONF([], project='scheduler', default_config_files=[],
             default_config_dirs=[])
        for group, values in overrides.items():
            for name, value in values.items():
                CONF.set_override(name, value, group=group)
        self.filters = filter_handler.FilterHandler(CONF)
        self.weighers = weight_handler.WeightHandler(CONF)

    def rank(self, host_set, spec, mask=None, index=0, count=1):
        """Filter, weigh and rank instance ``index`` of ``count``."""
        mask, _trace = self.filters.run(host_set, spec, mask, index)
        indices = mask.nonzero()[0]
        weights = self.weighers.weigh(host_set, spec, indices,
                                      more=index + 1 < count)
        order = cycle_rank.rank_hosts(indices, weights)
        return mask, indices, weights, order


def compare(job):
    pipeline = Pipeline(job['conf'])
    results = []
    for case in job['cases']:
        spec = make_spec(case['spec'])
        host_set = host_sets.HostStateSet(make_host_states(
            case['hosts'], case['aggregates'], case['spec']))
        _mask, indices, weights, _order = pipeline.rank(host_set, spec)
        results.append({
            'passed': sorted(host_set[i].host for i in indices),
            'weights': {host_set[i].host: float(w)
                        for i, w in zip(indices, weights)}})
    return {'filters': [n for n, _ in pipeline.filters.filters],
            'weighers': [n for n, _ in pipeline.weighers.weighers],
            'results': results}


def multi(job):
    """Each case's instances one after the other, on the hosts Nova chose.

    ``case['chosen']``: the host Nova placed each instance on; ours is
    consumed on the same host, so that the next step compares like with
    like even where the best hosts tie.
    """
    pipeline = Pipeline(job['conf'])
    results = []
    for case in job['cases']:
        spec = make_spec(case['spec'])
        host_set = host_sets.HostStateSet(make_host_states(
            case['hosts'], case['aggregates'], case['spec']))
        by_name = {h.host: i for i, h in enumerate(host_set.hosts)}
        steps = []
        mask = None
        for index, chosen in enumerate(case['chosen']):
            spec.instance_uuid = case['instance_uuids'][index]
            mask, indices, weights, _order = pipeline.rank(
                host_set, spec, mask, index, len(case['chosen']))
            steps.append({
                'passed': sorted(host_set[i].host for i in indices),
                'weights': {host_set[i].host: float(w)
                            for i, w in zip(indices, weights)}})
            i = by_name[chosen]
            host_set.consume(i, host_set[i].fitting_request())
            if spec.instance_group is not None:
                spec.instance_group.hosts.append(chosen)
        results.append(steps)
    return {'results': results}


def placement_answer(states):
    """``(body, names, facts, offered)`` a request gets for ``states``.

    Placement's answer (provider summaries and allocation requests) as the
    JSON text Placement sends, the names of the roots and the host-facts
    store's records, from which ``builder.build_host_states`` rebuilds
    equivalent host states; ``offered``: how many hosts the answer holds.
    """
    summaries = {}
    requests = []
    for h in states:
        if hs.DISABLED_TRAIT in h.traits:
            # The query forbids it on the root (ROOT_FORBIDDEN): Placement
            # offers no disabled host; Nova's ComputeFilter removes them.
            continue
        for rp, resources in h.providers.items():
            summaries[rp] = {'resources': resources,
                             'traits': sorted(h.traits),
                             'root_provider_uuid': h.uuid,
                             'parent_provider_uuid': (
                                 None if rp == h.uuid else h.uuid)}
        requests.extend(h.allocation_requests)
    # Placement does not list the summaries in the requests' order.
    summaries = dict(sorted(summaries.items()))
    body = json.dumps(msgspec.to_builtins({
        'allocation_requests': requests, 'provider_summaries': summaries}))
    return (body, {h.uuid: h.host for h in states},
            {h.host: h.facts for h in states}, len(requests))


def _timed(run):
    start = time.perf_counter()
    result = run()
    return (time.perf_counter() - start) * 1000, result


class Answers:
    """Placement's answer as it moves with the requests' claims.

    Each request's answer is the last one with the claims made since on
    their hosts, as Placement would answer: the host's usage grows, and a
    host the request no longer fits on leaves the answer. The client and
    the driver keep their memories of the last answer (``decode``,
    ``build``), as the service does.
    """

    def __init__(self, body, names, facts, amounts):
        self.plain = json.loads(body)
        self.names = names
        self.facts = facts
        self.amounts = amounts
        self.decoding = candidates.new_memory()
        self.memory = builder.Memory()

    def raw(self):
        return json.dumps(self.plain).encode()

    def decode(self, raw):
        return candidates.decode(raw, 'bench', '', '1.36',
                                 memory=self.decoding)

    def build(self, answer):
        return builder.build_host_states(
            answer, self.names, 'cell', facts=self.facts,
            absent_traits=ROOT_FORBIDDEN, fact_memory=self.memory.facts,
            row_memory=self.memory.rows)

    def claim(self, uuid):
        """What Placement answers next once host ``uuid`` took a claim."""
        summaries = self.plain['provider_summaries']
        resources = summaries[uuid]['resources']
        for rc, amount in self.amounts.items():
            resources[rc]['used'] += amount
        if any(r['used'] + self.amounts.get(rc, 0) > r['capacity']
               for rc, r in resources.items()):
            del summaries[uuid]
            self.plain['allocation_requests'] = [
                ar for ar in self.plain['allocation_requests']
                if uuid not in ar['allocations']]


def _amounts(plain_spec):
    return {'VCPU': plain_spec['vcpus'], 'MEMORY_MB': plain_spec['memory_mb'],
            'DISK_GB': plain_spec['root_gb']}


def _request_ms(pipeline, spec, answers, repeat):
    """Medians of ``(decode, decode afresh, request, on host states)``.

    Each repetition is the next request: its answer carries the last
    request's claim (``Answers``) and is decoded as the client does, with
    its memory (``decode``), and without one (``decode afresh``, for
    comparison); ``request`` from the decoded answer to the ranked hosts;
    ``on host states``: filter, weigh and rank alone, on a set just built.
    """
    decode, afresh, request, cold = [], [], [], []
    for _ in range(repeat):
        raw = answers.raw()
        afresh.append(_timed(
            lambda: candidates.decode(raw, 'bench', '', '1.36'))[0])
        ms, answer = _timed(lambda: answers.decode(raw))
        decode.append(ms)
        ms, (_m, _i, _w, order) = _timed(
            lambda: pipeline.rank(answers.build(answer), spec))
        request.append(ms)
        built = answers.build(answer)
        ms, _result = _timed(lambda: pipeline.rank(built, spec))
        cold.append(ms)
        answers.claim(built.uuids[int(order[0])])
    return tuple(map(statistics.median, (decode, afresh, request, cold)))


def _metrics_us(spec, offered, limit, repeat=20000, batch=100):
    """Microseconds per request of recording its metrics: (off, on).

    What the driver does for a placed request that ran every step: the
    recorder of metrics off (``NULL``), and prometheus_client's in
    multiprocess mode, its publisher's flush included (every ``batch``
    requests, a busy worker's second).
    """
    directory = tempfile.mkdtemp(prefix='bench-metrics-')
    os.environ[metrics.MULTIPROC_DIR_ENV] = directory
    exporter.use_multiprocess_values()
    request = cycle_request.Request(spec, ['bench-consumer'])
    for step in ('query', 'candidates', 'host states', 'filter', 'weigh',
                 'rank', 'claim', 'select'):
        request.timings[step] = 0.0005
    request.query = types.SimpleNamespace(limit=limit)
    request.candidates = types.SimpleNamespace(
        allocation_requests=[None] * offered)
    result = []
    try:
        for recorder in (metrics.NULL, metrics.PrometheusRecorder()):
            recorder.request_done(request, 0.002)
            recorder.flush()
            start = time.perf_counter()
            for i in range(repeat):
                recorder.request_done(request, 0.002)
                if i % batch == batch - 1:
                    recorder.flush()
            recorder.flush()
            result.append((time.perf_counter() - start) / repeat * 1e6)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return tuple(result)


def bench(job):
    pipeline = Pipeline(job['conf'])
    out = {'filters': [n for n, _ in pipeline.filters.filters],
           'weighers': [n for n, _ in pipeline.weighers.weighers],
           'sizes': {}}
    spec_plain = pipeline_cases.make_spec(random.Random(1), [],
                                          varied=False)
    spec = make_spec(spec_plain)
    for size in job['sizes']:
        hosts, aggs = pipeline_cases.make_hosts(size, seed=size)
        states = make_host_states(hosts, aggs, spec_plain)
        body, names, facts, offered = placement_answer(states)
        repeat = max(5, 20000 // size)
        answers = Answers(body, names, facts, _amounts(spec_plain))
        # Once, as a service's first request: the memories start empty.
        pipeline.rank(answers.build(answers.decode(answers.raw())), spec)
        decode, afresh, request, cold = _request_ms(pipeline, spec,
                                                    answers, repeat)
        host_set = builder.build_host_states(
            candidates.from_body(json.loads(body), 'bench', '', '1.36'),
            names, 'cell', facts=facts, absent_traits=ROOT_FORBIDDEN)
        assert len(host_set) == offered
        pipeline.rank(host_set, spec)  # warm: fact columns read
        warm = statistics.median(
            [_timed(lambda: pipeline.rank(host_set, spec))[0]
             for _ in range(repeat)])
        off_us, on_us = _metrics_us(spec, offered, offered)
        out['sizes'][str(size)] = {'warm_ms': warm, 'cold_ms': cold,
                                   'request_ms': request,
                                   'decode_ms': decode,
                                   'afresh_decode_ms': afresh,
                                   'metrics_off_us': off_us,
                                   'metrics_on_us': on_us}
    hosts, aggs = pipeline_cases.make_hosts(job['multi_hosts'], seed=7)
    body, names, facts, offered = placement_answer(
        make_host_states(hosts, aggs, spec_plain))
    repeat = max(5, 20000 // job['multi_hosts'])
    # The single requests and the multi-creates follow each other on one
    # cloud: each starts from the answer and memories the last one left.
    answers = Answers(body, names, facts, _amounts(spec_plain))
    pipeline.rank(answers.build(answers.decode(answers.raw())), spec)
    out['multi_single_ms'] = _request_ms(pipeline, spec, answers,
                                         repeat)[2]
    out['multi_ms'] = statistics.median(
        _multi_ms(pipeline, spec, answers, job['multi_count'])
        for _ in range(max(3, repeat // 5)))
    return out


def _multi_ms(pipeline, spec, answers, count):
    """Milliseconds of one multi-create of ``count`` instances.

    Measured as ``_request_ms``'s request column: the host set built from
    the decoded answer, then every instance filtered, weighed, ranked and
    consumed on its best host. Its claims are in the next answer.
    """
    answer = answers.decode(answers.raw())
    start = time.perf_counter()
    host_set = answers.build(answer)
    mask = None
    chosen = []
    for index in range(count):
        mask, _i, _w, order = pipeline.rank(host_set, spec, mask, index,
                                            count)
        best = int(order[0])
        host_set.consume(best, host_set[best].fitting_request())
        chosen.append(host_set.uuids[best])
    ms = (time.perf_counter() - start) * 1000
    for uuid in chosen:
        answers.claim(uuid)
    return ms


def main():
    job = json.load(sys.stdin)
    result = {'compare': compare, 'multi': multi,
              'bench': bench}[job['kind']](job)
    json.dump(result, sys.stdout)


if __name__ == '__main__':
    main()
