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

"""Filters + weighers per request: this scheduler against Nova 34's own.

For 100, 1,000 and 10,000 equivalent host states (generated from one seed
by ``tests/nova_compat/pipeline_cases.py``), the default filters and every
weigher, it measures the median milliseconds per request of

- ours, request (what every request pays once Placement and the host-facts
  store answered): building the request's ``HostStateSet`` from
  Placement's decoded answer, reading the hosts' fact columns, filter +
  weigh + rank; each request's answer carries the last request's claim,
  as Placement's would, and the driver's memory of the last answer
  serves what did not change;
- ours, host states: filter + weigh + rank on a ``HostStateSet`` just
  built for the request (its fact columns read for the first time): the
  like of Nova's number, which starts from built host states;
- ours, warm: the same on a set whose fact columns were read before;
- Nova: ``HostFilterHandler.get_filtered_objects`` +
  ``HostWeightHandler.get_weighed_objects`` on Nova ``HostState`` objects;

and, for scale, decoding Placement's JSON answer as our Placement client
does (``scheduler.placement.candidates``, with the memory of the last
answer) and afresh, which neither column includes; and what recording one
request's Prometheus metrics costs with ``[metrics_exporter]`` off and
on, against ours per request (target: <= 2%). Then a multi-create of 50
instances over 1,000 hosts (each instance filtered, weighed and consumed
on its host), against a single request over the same hosts (target:
< 2x; the per-host filters' and weighers' answers are kept between the
instances, ``scheduler.host_scope``). Both columns start from the same
state and are measured alike: the host set built from Placement's
decoded answer (the build counted) with the memories the requests before
left, as the driver keeps them; the median of a few multi-creates, each
one's claims in the next answer. Nova and ``scheduler.conf`` cannot
share a process (both own ``cfg.CONF``): each side runs in a child
process pinned to one CPU. Needs Nova installed (``tox -e bench``).
Prints a table; asserts nothing.
"""

import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SINGLE_THREAD = {'OMP_NUM_THREADS': '1', 'OPENBLAS_NUM_THREADS': '1',
                 'MKL_NUM_THREADS': '1', 'PYTHONWARNINGS': 'ignore'}


def _pin():
    # One core for the child; the first the parent may use.
    if hasattr(os, 'sched_setaffinity'):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def _side(module, job):
    env = dict(os.environ, **SINGLE_THREAD)
    env['PYTHONPATH'] = os.pathsep.join(
        [ROOT] + [p for p in [env.get('PYTHONPATH')] if p])
    proc = subprocess.run(
        [sys.executable, '-m', module], input=json.dumps(job), env=env,
        cwd=ROOT, capture_output=True, text=True, preexec_fn=_pin)
    if proc.returncode:
        sys.exit('%s failed:\n%s' % (module, proc.stderr[-4000:]))
    return json.loads(proc.stdout)


def _table(ours, nova, sizes, multi_hosts, multi_count):
    lines = [
        'Filters: %s' % ', '.join(ours['filters']),
        'Weighers: %s' % ', '.join(ours['weighers']),
        '',
        '%6s | %10s | %11s | %7s | %10s | %9s | %9s | %12s | %15s | %9s'
        % ('hosts', 'request ms', 'host states', 'warm ms', 'Nova 34 ms',
           'decode ms', 'afresh ms', 'Nova/request', 'Nova/host states',
           'Nova/warm'),
        '-' * 124]
    for size in sizes:
        o = ours['sizes'][str(size)]
        n = nova['sizes'][str(size)]['ms']
        lines.append(
            '%6d | %10.2f | %11.2f | %7.2f | %10.1f | %9.1f | %9.1f | '
            '%11.0fx | %14.0fx | %8.0fx' % (
                size, o['request_ms'], o['cold_ms'], o['warm_ms'], n,
                o['decode_ms'], o['afresh_decode_ms'], n / o['request_ms'],
                n / o['cold_ms'], n / o['warm_ms']))
    lines += ['', _metrics_table(ours, sizes)]
    lines += [
        '',
        'Multi-create of %d instances over %d hosts: ours %.1f ms, %.1fx '
        'a single request over them (%.2f ms; target < 2x), Nova 34 '
        '%.1f ms (%.0fx)' % (multi_count, multi_hosts, ours['multi_ms'],
                             ours['multi_ms'] / ours['multi_single_ms'],
                             ours['multi_single_ms'], nova['multi_ms'],
                             nova['multi_ms'] / ours['multi_ms']),
        'Targets (Nova/request): >= 100x at 1,000 hosts, >= 250x at '
        '10,000; a multi-create < 2x a single request.',
        'decode ms: decoding and checking Placement\'s answer as our '
        'client does (msgspec, into typed provider summaries, reusing the '
        'last answer\'s values where its text is the same); afresh ms: '
        'the same without the last answer; for scale, no other column '
        'includes them.',
        'Each request\'s answer carries the last request\'s claim, as '
        'Placement\'s would: the request and decode columns reuse what '
        'did not change.']
    return '\n'.join(lines)


def _metrics_table(ours, sizes):
    """Recording one request's metrics, off and on, against its cost."""
    lines = [
        'Metrics per request ([metrics_exporter] listen off / on: '
        'prometheus_client multiprocess, flush included):',
        '%6s | %10s | %13s | %12s | %14s' % (
            'hosts', 'request ms', 'metrics off us', 'metrics on us',
            'on-off/request'),
        '-' * 66]
    for size in sizes:
        o = ours['sizes'][str(size)]
        extra_ms = (o['metrics_on_us'] - o['metrics_off_us']) / 1000.0
        lines.append('%6d | %10.2f | %14.2f | %13.2f | %13.2f%%' % (
            size, o['request_ms'], o['metrics_off_us'], o['metrics_on_us'],
            100.0 * extra_ms / o['request_ms']))
    lines.append('Target: metrics on costs <= 2% of a request.')
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sizes', default='100,1000,10000',
                        help='host counts, comma separated')
    parser.add_argument('--multi-hosts', type=int, default=1000)
    parser.add_argument('--multi-count', type=int, default=50)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(',')]
    job = {'kind': 'bench', 'conf': {}, 'sizes': sizes,
           'multi_hosts': args.multi_hosts, 'multi_count': args.multi_count}
    ours = _side('tests.nova_compat.pipeline_ours', job)
    # Nova runs the filters we ran (our defaults are Nova's defaults).
    nova = _side('tests.nova_compat.pipeline_nova',
                 dict(job, filters=ours['filters']))
    print(_table(ours, nova, sizes, args.multi_hosts, args.multi_count))


if __name__ == '__main__':
    main()
