#!/usr/bin/env python3
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

"""Memory of host facts and host state at scale (a benchmark, not a test).

Builds, in this one process as a scheduler worker would hold them:

1. the host facts of HOSTS hosts with INSTANCES instances each, fed through
   the ``rpc`` source exactly as the casts feed it (``update_instance_info``
   records from the RPC layer), plus aggregates with zone metadata;
2. one request's host states for all HOSTS hosts from a synthetic
   Placement answer (provider summaries and an allocation request each),
   enriched with those facts.

It prints the resident set size after each step and the peak, against a
target of 200 MB, and how long a full garbage collection takes with that
heap, before and after ``gc.freeze()`` (which a worker calls once it has
started). Run: ``tox -e bench-memory`` or
``python tools/bench_host_facts.py --hosts 10000 --instances 50``.
"""

import argparse
import gc
import resource
import sys
import time
import uuid

TARGET_MB = 200


def rss_mb():
    """Current resident set size in MiB (Linux /proc)."""
    with open('/proc/self/statm') as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 2 ** 20


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def candidates_for(names):
    from scheduler.placement import candidates

    summaries = {}
    requests = []
    for rp in names:
        summaries[rp] = {
            'resources': {
                'VCPU': {'capacity': 64, 'used': 8},
                'MEMORY_MB': {'capacity': 262144, 'used': 16384},
                'DISK_GB': {'capacity': 2000, 'used': 100}},
            'traits': ['COMPUTE_NODE', 'HW_CPU_X86_AVX2'],
            'parent_provider_uuid': None, 'root_provider_uuid': rp}
        requests.append({'allocations': {rp: {'resources': {
            'VCPU': 1, 'MEMORY_MB': 512, 'DISK_GB': 1}}},
            'mappings': {'': [rp]}})
    return candidates.Candidates(
        allocation_requests=requests,
        provider_summaries=candidates.summaries(summaries), version='1.36')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--hosts', type=int, default=10000)
    parser.add_argument('--instances', type=int, default=50)
    parser.add_argument('--aggregates', type=int, default=100)
    args = parser.parse_args(argv)

    rows = [('start (interpreter)', rss_mb(), 0.0)]

    def step(name, func):
        gc.collect()
        start = time.perf_counter()
        result = func()
        elapsed = time.perf_counter() - start
        gc.collect()
        rows.append((name, rss_mb(), elapsed))
        return result

    def imports():
        # What a worker imports: the manager pulls in the pipeline.
        from scheduler import conf  # noqa: F401
        from scheduler.drivers import filter_scheduler  # noqa: F401
        from scheduler.host_facts import store  # noqa: F401

    step('imports (service modules)', imports)

    from oslo_config import cfg

    from scheduler.host_facts import store
    from scheduler.host_state import builder
    from scheduler.host_state import facts

    conf = cfg.CONF
    conf([], project='scheduler', default_config_files=[],
         default_config_dirs=[])
    # The casts feed the facts here; no Nova database behind them.
    conf.set_override('sources', [], group='host_facts')
    facts_store = store.HostFactsStore(conf)
    host_names = ['compute-%05d' % n for n in range(args.hosts)]
    projects = ['project-%03d' % n for n in range(200)]

    def feed_instances():
        for n, host in enumerate(host_names):
            facts_store.update_instances(host, [
                facts.InstanceFacts(
                    uuid=str(uuid.uuid4()),
                    project_id=projects[(n + i) % len(projects)])
                for i in range(args.instances)])

    step('%d hosts x %d instances (casts)' % (args.hosts, args.instances),
         feed_instances)

    def feed_aggregates():
        per = max(args.hosts // args.aggregates, 1)
        facts_store.update_aggregates([
            facts.AggregateFacts(
                id=a, uuid=str(uuid.uuid4()), name='agg-%d' % a,
                hosts=frozenset(host_names[a * per:(a + 1) * per]),
                metadata={'availability_zone': 'az-%d' % (a % 3)})
            for a in range(args.aggregates)])

    step('%d aggregates with zones' % args.aggregates, feed_aggregates)

    roots = {str(uuid.uuid5(uuid.NAMESPACE_DNS, h)): h for h in host_names}
    answer = step('Placement answer for %d hosts' % args.hosts,
                  lambda: candidates_for(roots))

    def build():
        facts = facts_store.known_facts()
        return builder.build_host_states(
            answer, roots, conf.scheduler.default_cell_uuid, facts=facts,
            default_zone=conf.default_availability_zone)

    host_set = step('host states with facts (one request)', build)
    assert len(host_set) == args.hosts
    known = sum(len(f.instances) for f in host_set.facts)
    assert known == args.hosts * args.instances

    gc_rows = _collection_times()

    width = max(len(r[0]) for r in rows)
    print('%-*s  %9s  %9s  %8s' % (width, 'step', 'RSS MiB', '+MiB', 's'))
    last = rows[0][1]
    for name, mb, elapsed in rows:
        print('%-*s  %9.1f  %9.1f  %8.2f' % (width, name, mb, mb - last,
                                             elapsed))
        last = mb
    peak = peak_mb()
    print('%-*s  %9.1f' % (width, 'peak RSS', peak))
    verdict = 'within' if peak < TARGET_MB else 'OVER'
    print('peak %.1f MiB is %s the %d MB target (%d hosts, %d instances '
          'each, %d instances known to host states)'
          % (peak, verdict, TARGET_MB, args.hosts, args.instances, known))
    print()
    print('full garbage collection (gc.collect(), best of 3)')
    for name, tracked, ms in gc_rows:
        print('  %-44s %9d objects tracked  %7.1f ms' % (name, tracked, ms))
    return 0


def _collection_times():
    """Full collections with everything tracked, then after gc.freeze().

    A worker freezes what start-up built (scheduler/cmd/server.py); here
    the facts and host states are part of it, as a nova_db source's first
    read at start is.
    """
    def best():
        times = []
        for _ in range(3):
            start = time.perf_counter()
            gc.collect()
            times.append((time.perf_counter() - start) * 1000)
        return len(gc.get_objects()), min(times)

    rows = [('everything tracked',) + best()]
    gc.freeze()
    rows.append(('after gc.freeze()',) + best())
    gc.unfreeze()
    return rows


if __name__ == '__main__':
    sys.exit(main())
