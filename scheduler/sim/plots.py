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

"""The plots of the simulator's report, as PNG bytes.

Every plot shows all configurations on shared axes, one colour per
configuration throughout (``colours``). Figures are made with
``matplotlib.figure.Figure`` and rendered by Agg: no pyplot, no global
state, no display needed.
"""

import collections
import io

from matplotlib import figure as mpl_figure
from matplotlib import ticker

DPI = 100
WIDTH = 9.0
ROW_HEIGHT = 2.8
PALETTE = ('#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd',
           '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf')
LINESTYLES = ('-', '--', ':', '-.')


def colours(results):
    """One colour per configuration name, in the order of ``results``."""
    return {r.name: PALETTE[i % len(PALETTE)] for i, r in enumerate(results)}


def render(fig):
    """The PNG bytes of ``fig``, exactly its size in pixels."""
    buf = io.BytesIO()
    fig.savefig(buf, format='png', dpi=DPI)
    return buf.getvalue()


def _figure(rows=1):
    return mpl_figure.Figure(figsize=(WIDTH, ROW_HEIGHT * rows + 0.6),
                             dpi=DPI, layout='constrained')


def _time_scale(results):
    """(divisor, axis label) so that long runs are plotted in hours."""
    end = max((s.t for r in results for s in r.samples), default=0)
    end = max([end] + [q.t for r in results for q in r.requests])
    if end > 3 * 3600:
        return 3600.0, 'simulated time (h)'
    if end > 3 * 60:
        return 60.0, 'simulated time (min)'
    return 1.0, 'simulated time (s)'


def _keys(results, field):
    """The sorted union of the keys of ``field`` over every sample."""
    return sorted({k for r in results for s in r.samples
                   for k in getattr(s, field)})


def _subplots(fig, names):
    axes = fig.subplots(len(names), 1, sharex=True, squeeze=False)
    return [row[0] for row in axes]


def _integer_y(ax):
    ax.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))


def _empty(ax, text):
    ax.text(0.5, 0.5, text, ha='center', va='center',
            transform=ax.transAxes, fontsize=12, color='#555555')


def _per_key_lines(results, field, ylabel, value):
    """One subplot per key of ``field``, one line per configuration."""
    keys = _keys(results, field)
    scale, xlabel = _time_scale(results)
    fig = _figure(max(1, len(keys)))
    axes = _subplots(fig, keys or [None])
    colour = colours(results)
    for ax, key in zip(axes, keys):
        for r in results:
            points = [(s.t / scale, value(s, key)) for s in r.samples]
            points = [(t, v) for t, v in points if v is not None]
            ax.plot([p[0] for p in points], [p[1] for p in points],
                    color=colour[r.name], label=r.name)
        ax.set_title(key, fontsize=10)
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)
    if not keys:
        _empty(axes[0], 'no samples')
    else:
        axes[0].legend(loc='best', fontsize=8)
    axes[-1].set_xlabel(xlabel)
    return fig


def utilisation_pct(sample, rc):
    """Used over capacity of ``rc`` in percent; None without capacity."""
    capacity = sample.capacity.get(rc) or 0
    if capacity <= 0:
        return None
    return 100.0 * sample.used.get(rc, 0) / capacity


def utilisation(results):
    """Used/capacity per resource class over time."""
    return _per_key_lines(results, 'capacity', 'used (%)', utilisation_pct)


def fits(results):
    """How many more instances of each flavor would fit, over time."""
    return _per_key_lines(results, 'fits', 'would fit',
                          lambda s, key: s.fits.get(key))


def stranded(results):
    """Free resources on hosts where no flavor fits any more, over time."""
    return _per_key_lines(results, 'stranded', 'stranded',
                          lambda s, key: s.stranded.get(key, 0))


def _cumulative(times, end):
    """Step coordinates of a cumulative count of events at ``times``."""
    xs, ys = [0.0], [0]
    for n, t in enumerate(sorted(times), start=1):
        xs.append(t)
        ys.append(n)
    xs.append(max(end, xs[-1]))
    ys.append(ys[-1])
    return xs, ys


def refusals(results):
    """Cumulative NoValidHost count per cause and configuration."""
    scale, xlabel = _time_scale(results)
    fig = _figure()
    ax = fig.subplots()
    colour = colours(results)
    causes = sorted({q.cause or 'unknown' for r in results
                     for q in r.refused})
    style = {c: LINESTYLES[i % len(LINESTYLES)] for i, c in enumerate(causes)}
    end = max([s.t for r in results for s in r.samples] +
              [q.t for r in results for q in r.requests] + [0]) / scale
    for r in results:
        by_cause = collections.defaultdict(list)
        for q in r.refused:
            by_cause[q.cause or 'unknown'].append(q.t / scale)
        for cause in causes:
            xs, ys = _cumulative(by_cause[cause], end)
            ax.step(xs, ys, where='post', color=colour[r.name],
                    linestyle=style[cause], label='%s: %s' % (r.name, cause))
    if causes:
        ax.legend(loc='upper left', fontsize=8)
    else:
        _empty(ax, 'no NoValidHost')
    ax.set_xlabel(xlabel)
    ax.set_ylabel('NoValidHost (cumulative)')
    _integer_y(ax)
    ax.grid(True, alpha=0.3)
    return fig


def hosts(results):
    """Hosts with instances (solid) and empty hosts (dashed) over time."""
    scale, xlabel = _time_scale(results)
    fig = _figure()
    ax = fig.subplots()
    colour = colours(results)
    for r in results:
        ts = [s.t / scale for s in r.samples]
        ax.plot(ts, [s.hosts_in_use for s in r.samples],
                color=colour[r.name], label='%s: in use' % r.name)
        ax.plot(ts, [s.hosts_empty for s in r.samples], linestyle='--',
                color=colour[r.name], label='%s: empty' % r.name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel('hosts')
    _integer_y(ax)
    ax.grid(True, alpha=0.3)
    ax.legend(loc='best', fontsize=8)
    return fig


def host_counts(result):
    """{instances on a host: number of hosts} at the end of ``result``.

    Hosts missing from ``instances_per_host`` count as hosts with none.
    """
    counts = collections.Counter(int(n) for n in
                                 result.instances_per_host.values())
    missing = result.hosts - len(result.instances_per_host)
    if missing > 0:
        counts[0] += missing
    return counts


def instances_per_host(results):
    """Histogram of instances per host at the end, bars side by side."""
    fig = _figure()
    ax = fig.subplots()
    colour = colours(results)
    counts = {r.name: host_counts(r) for r in results}
    bins = sorted({n for c in counts.values() for n in c})
    width = 0.8 / max(1, len(results))
    for i, r in enumerate(results):
        offset = (i - (len(results) - 1) / 2.0) * width
        ax.bar([b + offset for b in bins],
               [counts[r.name].get(b, 0) for b in bins], width=width,
               color=colour[r.name], label=r.name)
    if bins:
        ax.set_xticks(bins)
        ax.legend(loc='best', fontsize=8)
    else:
        _empty(ax, 'no hosts')
    ax.set_xlabel('instances on a host')
    ax.set_ylabel('hosts')
    _integer_y(ax)
    ax.grid(True, axis='y', alpha=0.3)
    return fig


def latency(results):
    """CDF of scheduler milliseconds per request, per configuration."""
    fig = _figure()
    ax = fig.subplots()
    colour = colours(results)
    drawn = False
    for r in results:
        values = sorted(q.scheduler_ms for q in r.requests)
        if not values:
            continue
        ys = [100.0 * (i + 1) / len(values) for i in range(len(values))]
        ax.step(values, ys, where='post', color=colour[r.name],
                label=r.name)
        drawn = True
    if drawn:
        ax.set_xscale('symlog', linthresh=1.0)
        ax.legend(loc='lower right', fontsize=8)
    else:
        _empty(ax, 'no requests')
    ax.set_xlabel('scheduler time per request (ms)')
    ax.set_ylabel('requests (%)')
    ax.set_ylim(0, 100)
    ax.grid(True, alpha=0.3)
    return fig


# (id, title, caption, function): the plots of the report, in order.
PLOTS = (
    ('utilisation', 'Utilisation',
     'Used over allocatable capacity (%) per resource class over '
     'simulated time, one line per configuration.', utilisation),
    ('refusals', 'NoValidHost',
     'Cumulative NoValidHost count over simulated time: colour is the '
     'configuration, line style the cause.', refusals),
    ('fits', 'Fragmentation: what still fits',
     'How many more instances of each flavor would fit, one flavor at a '
     'time, over simulated time.', fits),
    ('stranded', 'Fragmentation: stranded capacity',
     'Free resources on hosts where no flavor of the workload fits any '
     'more, per resource class, over simulated time.', stranded),
    ('hosts', 'Packing: hosts in use and empty',
     'Hosts with at least one instance (solid) and empty hosts (dashed) '
     'over simulated time.', hosts),
    ('instances-per-host', 'Instances per host at the end',
     'Histogram at the end of the run: x is the number of instances on a '
     'host, y how many hosts have that many; bars side by side per '
     'configuration.', instances_per_host),
    ('latency', 'Scheduling latency',
     'Cumulative distribution (CDF) of scheduler milliseconds per request '
     '(select_destinations), per configuration; x axis linear below 1 ms, '
     'logarithmic above.', latency),
)
