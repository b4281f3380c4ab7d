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

"""The simulator's HTML report and terminal summary, on synthetic runs."""

import base64
import collections
import random
import re

from scheduler.sim import plots
from scheduler.sim import report
from scheduler.sim import results

HOST = {'VCPU': 16, 'MEMORY_MB': 65536, 'DISK_GB': 500}
FLAVORS = {
    'small': {'VCPU': 2, 'MEMORY_MB': 4096, 'DISK_GB': 20},
    'large': {'VCPU': 8, 'MEMORY_MB': 32768, 'DISK_GB': 80},
}
EVIL = '<script>alert(1)</script> & "quotes"'


def _fits(free, flavor):
    return all(free[rc] >= amount for rc, amount in flavor.items())


def _choose(hosts, flavor, policy):
    candidates = [h for h in hosts if _fits(h, flavor)]
    if not candidates:
        return None
    key = (lambda h: (h['VCPU'], h['MEMORY_MB']))
    return (max if policy == 'spread' else min)(candidates, key=key)


def _sample(t, hosts, alive):
    used = {rc: sum(HOST[rc] - h[rc] for h in hosts) for rc in HOST}
    full = [h for h in hosts if not any(_fits(h, f)
                                        for f in FLAVORS.values())]
    return results.Sample(
        t=t, used=used, capacity={rc: HOST[rc] * len(hosts) for rc in HOST},
        hosts_in_use=sum(h != HOST for h in hosts),
        hosts_empty=sum(h == HOST for h in hosts), instances=len(alive),
        fits={name: sum(min(h[rc] // f[rc] for rc in f) for h in hosts)
              for name, f in FLAVORS.items()},
        stranded={rc: sum(h[rc] for h in full) for rc in HOST})


def _arrival_rate(t, duration):
    """Boots per minute: steady, a burst in the middle third, then calm."""
    return (0.6, 1.0, 0.3)[min(2, 3 * t // duration)]


def make_workload(seed=42, duration=6 * 3600):
    """[(t, flavor, lifetime s)]: one boot at most per simulated minute."""
    rng = random.Random(seed)
    boots = []
    for t in range(0, duration, 60):
        if rng.random() < _arrival_rate(t, duration):
            boots.append((t, rng.choice(['small', 'small', 'large']),
                          rng.expovariate(1 / 6000.0)))
    return boots


def _free(hosts, alive, t):
    """Delete the instances of ``alive`` whose lifetime ended by ``t``."""
    for inst in [i for i in alive if i[0] <= t]:
        alive.remove(inst)
        for rc, amount in FLAVORS[inst[1]].items():
            inst[2][rc] += amount


def make_result(name, policy, n_hosts=20, seed=42, duration=6 * 3600,
                reason=EVIL):
    """A RunResult from a toy spread/pack model of ``n_hosts`` hosts."""
    rng = random.Random(name)
    hosts = [dict(HOST) for _ in range(n_hosts)]
    alive, samples, requests = [], [], []
    boots = collections.deque(make_workload(seed, duration))
    for now in range(0, duration + 1, 300):
        while boots and boots[0][0] < now:
            t, flavor, lifetime = boots.popleft()
            _free(hosts, alive, t)
            host = _choose(hosts, FLAVORS[flavor], policy)
            ms = rng.lognormvariate(1.5 if policy == 'spread' else 1.7, 0.6)
            if host is None:
                cause = rng.choice(['placement_empty', 'filter:RamFilter'])
                requests.append(results.RequestRecord(
                    t, 'boot', flavor, 1, False, cause, reason, ms))
                continue
            for rc, amount in FLAVORS[flavor].items():
                host[rc] -= amount
            alive.append((t + lifetime, flavor, host))
            requests.append(results.RequestRecord(
                t, 'boot', flavor, 1, True, None, None, ms))
        _free(hosts, alive, now)
        samples.append(_sample(now, hosts, alive))
    wall = 2.0 + sum(q.scheduler_ms for q in requests) / 1000.0
    scheduler_s = sum(q.scheduler_ms for q in requests) / 1000.0
    return results.RunResult(
        name=name, config_files=['etc/%s.conf' % name],
        scenario='steady-churn', seed=seed, hosts=n_hosts,
        flavors={k: dict(v) for k, v in FLAVORS.items()}, samples=samples,
        requests=requests, instances_per_host=_per_host(hosts, alive),
        alive=len(alive),
        timing={'events': len(requests), 'wall_s': wall,
                'scheduler_s': scheduler_s, 'placement_s': 0.5,
                'simulator_s': wall - scheduler_s - 0.5,
                'events_per_s': len(requests) / wall,
                'steps': {'placement_query': scheduler_s * 0.5,
                          'filters': scheduler_s * 0.2,
                          'weighers': scheduler_s * 0.1,
                          'claim': scheduler_s * 0.1}})


def _per_host(hosts, alive):
    """{host name: instances} for the hosts holding an instance."""
    per_host = {}
    for _end, _flavor, host in alive:
        name = 'cn%03d' % next(i for i, h in enumerate(hosts) if h is host)
        per_host[name] = per_host.get(name, 0) + 1
    return per_host


def make_pair():
    """Two synthetic runs of the same workload: spread and pack."""
    return [make_result('spread', 'spread'), make_result('pack', 'pack')]


def _images(text):
    return re.findall(r'<img [^>]*>', text)


def _attr(tag, name):
    return re.search(r'\b%s="([^"]*)"' % name, tag).group(1)


def test_write_html_one_decodable_png_per_plot(tmp_path):
    path = str(tmp_path / 'report.html')
    assert report.write_html(make_pair(), path) == path
    with open(path, encoding='utf-8') as f:
        text = f.read()
    images = _images(text)
    assert len(images) == len(plots.PLOTS)
    assert 'data-plots="%d"' % len(plots.PLOTS) in text
    for (plot_id, _title, _caption, _fn), tag in zip(plots.PLOTS, images):
        assert _attr(tag, 'id') == 'plot-%s' % plot_id
        assert _attr(tag, 'class') == 'plot'
        src = _attr(tag, 'src')
        prefix = 'data:image/png;base64,'
        assert src.startswith(prefix)
        png = base64.b64decode(src[len(prefix):], validate=True)
        width, height = report.png_size(png)
        assert (width, height) == (int(_attr(tag, 'width')),
                                   int(_attr(tag, 'height')))
        assert width > 100 and height > 100
    assert text.count('<figure>') == len(plots.PLOTS)
    assert text.count('<figcaption>') == len(plots.PLOTS)


def test_write_html_self_contained_and_escaped(tmp_path):
    path = str(tmp_path / 'report.html')
    report.write_html(make_pair(), path, title='a <b> title')
    with open(path, encoding='utf-8') as f:
        text = f.read()
    assert 'http://' not in text and 'https://' not in text
    assert '<script' not in text
    assert '&lt;script&gt;alert(1)&lt;/script&gt;' in text
    assert 'a &lt;b&gt; title' in text
    assert 'spread' in text and 'pack' in text


def test_write_html_without_refusals(tmp_path):
    runs = make_pair()
    for r in runs:
        r.requests = [q for q in r.requests if q.placed]
    path = str(tmp_path / 'report.html')
    report.write_html(runs, path)
    with open(path, encoding='utf-8') as f:
        assert len(_images(f.read())) == len(plots.PLOTS)


def test_round_trip_through_dict(tmp_path):
    runs = [results.RunResult.from_dict(r.to_dict()) for r in make_pair()]
    path = str(tmp_path / 'report.html')
    report.write_html(runs, path)


def test_summary_names_configs_and_path():
    runs = make_pair()
    text = report.summary(runs, '/tmp/r.html')
    lines = text.splitlines()
    assert len(lines) <= 15
    assert lines[0].startswith('spread: placed ')
    assert lines[1].startswith('pack: placed ')
    assert 'VCPU' in lines[0] and 'MEMORY_MB' in lines[0]
    assert 'empty hosts' in lines[2]
    assert lines[-1] == 'Report: /tmp/r.html'


def test_summary_pack_leaves_more_empty_hosts():
    runs = make_pair()
    pack_empty = report.empty_hosts_at_end(runs[1])
    assert pack_empty > report.empty_hosts_at_end(runs[0])
    assert report.summary(runs, 'x').splitlines()[2].startswith(
        'pack leaves the most empty hosts at the end: %d' % pack_empty)


def test_percentile():
    assert report.percentile([], 50) is None
    assert report.percentile([3, 1, 2], 50) == 2
    assert report.percentile(list(range(1, 101)), 99) == 99


def test_host_counts_counts_missing_hosts_as_empty():
    run = make_result('x', 'pack', n_hosts=20)
    counts = plots.host_counts(run)
    assert sum(counts.values()) == 20
    assert counts[0] == 20 - len(run.instances_per_host)


def test_write_html_and_summary_of_an_empty_run(tmp_path):
    run = results.RunResult(
        name='idle', config_files=[], scenario='none', seed=0, hosts=0,
        flavors={}, samples=[], requests=[], instances_per_host={},
        alive=0, timing={})
    path = report.write_html([run], str(tmp_path / 'report.html'))
    with open(path, encoding='utf-8') as f:
        assert len(_images(f.read())) == len(plots.PLOTS)
    assert report.summary([run], path).splitlines() == [
        'idle: placed 0/0, refused 0, empty hosts at end 0/0, '
        'peak VCPU - MEMORY_MB -, - events/s',
        'Report: %s' % path]
