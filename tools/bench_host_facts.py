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
    parser.add_argument('--cells', type=int, default=2,
                        help='cell databases of the nova_db refresh')
    parser.add_argument('--only', choices=['memory', 'nova-db'],
                        help='run one section only')
    args = parser.parse_args(argv)
    if args.only != 'nova-db':
        memory(args)
    if args.only != 'memory':
        print_refresh(args)
    return 0


def memory(args):
    """The memory section: RSS of the facts and host states."""

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


def print_refresh(args):
    """The nova_db section: seconds of a refresh, unchanged or not."""
    from oslo_config import cfg

    conf = cfg.ConfigOpts()
    from scheduler import conf as scheduler_conf
    scheduler_conf.register_opts(conf)
    conf([], project='scheduler', default_config_files=[],
         default_config_dirs=[])
    built, rows = nova_db_refresh(conf, args.hosts, args.instances,
                                  args.cells)
    print()
    print('nova_db refresh: %d hosts in %d cells, %d instances each '
          '(sqlite, built in %.1f s)' % (args.hosts, args.cells,
                                         args.instances, built))
    width = max(len(r[0]) for r in rows)
    print('%-*s  %8s  %8s  %9s  %14s' % (width, 'refresh', 'wall s',
                                         'CPU s', 'store ms',
                                         'new HostFacts'))
    for name, elapsed, cpu, merged, new in rows:
        print('%-*s  %8.3f  %8.3f  %9.1f  %14d' % (
            width, name, elapsed, cpu, merged * 1000, new))


# The nova_db refresh: a sqlite Nova API database and CELLS cell databases.

def _nova_dbs(directory, hosts, instances, cells):
    """Nova's tables (the columns nova_db reads) for ``hosts`` hosts.

    Returns the API database's URL and ``{host name: cell URL}``.
    """
    import json

    from oslo_utils import timeutils
    import sqlalchemy as sa

    from scheduler.host_facts import nova_tables as t

    now = timeutils.utcnow()
    api_url = 'sqlite:///%s/api.db' % directory
    api = sa.create_engine(api_url)
    t.API.create_all(api)
    cell_of = {}
    mappings = []
    host_mappings = []
    for c in range(cells):
        url = 'sqlite:///%s/cell%d.db' % (directory, c + 1)
        mappings.append({'id': c + 1, 'uuid': str(uuid.UUID(int=c + 1)),
                         'name': 'cell%d' % (c + 1),
                         'database_connection': url, 'disabled': False})
        engine = sa.create_engine(url)
        t.CELL.create_all(engine)
        names = ['compute-%05d' % n for n in range(c, hosts, cells)]
        with engine.begin() as conn:
            conn.execute(t.services.insert(), [
                {'id': n + 1, 'host': name, 'binary': 'nova-compute',
                 'disabled': False, 'forced_down': False, 'deleted': 0,
                 'last_seen_up': now, 'created_at': now, 'updated_at': now}
                for n, name in enumerate(names)])
            conn.execute(t.compute_nodes.insert(), [
                {'uuid': str(uuid.uuid5(uuid.NAMESPACE_DNS, name)),
                 'host': name, 'hypervisor_hostname': name,
                 'hypervisor_type': 'QEMU', 'hypervisor_version': 8002000,
                 'cpu_info': json.dumps({'arch': 'x86_64',
                                         'features': ['avx2', 'sse4.2']}),
                 'stats': json.dumps({'num_instances': str(instances)}),
                 'metrics': '[]', 'pci_stats': '{}',
                 'supported_instances': json.dumps(
                     [['x86_64', 'kvm', 'hvm']]),
                 'host_ip': '10.0.0.1', 'cpu_allocation_ratio': 4.0,
                 'ram_allocation_ratio': 1.0, 'deleted': 0,
                 'created_at': now, 'updated_at': now} for name in names])
            for start in range(0, len(names), 500):
                conn.execute(t.instances.insert(), [
                    {'uuid': str(uuid.uuid4()), 'host': name,
                     'project_id': 'project-%03d' % ((n + i) % 200),
                     'vm_state': 'active', 'deleted': 0,
                     'created_at': now, 'updated_at': now}
                    for n, name in enumerate(names[start:start + 500])
                    for i in range(instances)])
        engine.dispose()
        for name in names:
            cell_of[name] = url
            host_mappings.append({'cell_id': c + 1, 'host': name})
    with api.begin() as conn:
        conn.execute(t.cell_mappings.insert(), mappings)
        conn.execute(t.host_mappings.insert(), host_mappings)
    api.dispose()
    return api_url, cell_of


def _change_hosts(cell_of, names):
    """As Nova would: each host's compute node updated, one instance more."""
    from oslo_utils import timeutils
    import sqlalchemy as sa

    from scheduler.host_facts import nova_tables as t

    now = timeutils.utcnow()
    for url in sorted(set(cell_of[n] for n in names)):
        mine = [n for n in names if cell_of[n] == url]
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(t.compute_nodes.update().where(
                t.compute_nodes.c.host.in_(mine)).values(
                    stats='{"num_instances": "51"}', updated_at=now))
            conn.execute(t.instances.insert(), [
                {'uuid': str(uuid.uuid4()), 'host': n, 'project_id': 'p',
                 'vm_state': 'active', 'deleted': 0, 'created_at': now,
                 'updated_at': now} for n in mine])
        engine.dispose()


def _heartbeats(cell_of):
    """Every nova-compute service reports, as every 10 s in a live cloud."""
    from oslo_utils import timeutils
    import sqlalchemy as sa

    from scheduler.host_facts import nova_tables as t

    now = timeutils.utcnow()
    for url in sorted(set(cell_of.values())):
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(t.services.update().values(last_seen_up=now,
                                                    updated_at=now))
        engine.dispose()


def nova_db_refresh(conf, hosts, instances, cells):
    """Seconds of nova_db refreshes of ``hosts`` hosts, as rows to print."""
    import tempfile

    from oslo_config import cfg

    from scheduler.host_facts import nova_db
    from scheduler.host_facts import store

    rows = []
    with tempfile.TemporaryDirectory() as directory:
        start = time.perf_counter()
        api_url, cell_of = _nova_dbs(directory, hosts, instances, cells)
        built = time.perf_counter() - start
        conf.set_override('api_connection', api_url,
                          group='host_facts_nova_db')
        conf.set_override('sources', ['nova_db'], group='host_facts')
        source = nova_db.NovaDBSource(conf)
        facts_store = store.HostFactsStore(conf, sources=[source])

        def changed(name, previous):
            start, cpu = time.perf_counter(), time.process_time()
            assert source.refresh(), source.last_error
            elapsed = time.perf_counter() - start
            cpu = time.process_time() - cpu
            start = time.perf_counter()
            now = facts_store.known_facts()
            merged = time.perf_counter() - start
            new = sum(1 for h, f in now.items() if previous.get(h) is not f)
            rows.append((name, elapsed, cpu, merged, new))
            return now

        previous = changed('first load (full read)', {})
        previous = changed('refresh, nothing changed', previous)
        previous = changed('refresh, nothing changed (again)', previous)
        _change_hosts(cell_of, sorted(cell_of)[:10])
        previous = changed('refresh, 10 hosts changed', previous)
        _heartbeats(cell_of)
        previous = changed('refresh, every service heartbeat', previous)
        try:
            conf.set_override('full_refresh_interval', 0,
                              group='host_facts_nova_db')
        except cfg.NoSuchOptError:
            pass
        previous = changed('full re-read, nothing changed', previous)
        _change_hosts(cell_of, sorted(cell_of)[10:20])
        previous = changed('full re-read, 10 hosts changed', previous)
        source.stop()
    return built, rows


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
