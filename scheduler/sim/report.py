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

"""The what-if simulator's report: one HTML file and a terminal summary.

``write_html`` writes a single self-contained file: the plots of
``scheduler.sim.plots`` as PNG data URIs, inline CSS, no script and no
external URL, so it can be mailed or attached to a review as it is.
``summary`` is the few lines printed at the end of a run.
"""

import base64
import collections
import html
import math
import struct

from scheduler.sim import plots

SUMMARY_RCS = ('VCPU', 'MEMORY_MB')
PERCENTILES = (50, 90, 99)
CSS = '''
body { font-family: sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.5em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { background: #f0f0f0; }
table.reasons td:last-child { text-align: left; }
figure { margin: 1em 0; }
img.plot { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.9em; color: #444; max-width: 900px; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em;
          margin-right: 0.3em; }
'''


def percentile(values, pct):
    """The nearest-rank ``pct`` percentile of ``values``; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, int(math.ceil(pct / 100.0 * len(ordered))))
    return ordered[rank - 1]


def peak_utilisation(result, rc):
    """The highest used/capacity of ``rc`` in percent over the run."""
    values = [plots.utilisation_pct(s, rc) for s in result.samples]
    values = [v for v in values if v is not None]
    return max(values) if values else None


def final_utilisation(result, rc):
    """Used/capacity of ``rc`` in percent at the last sample."""
    if not result.samples:
        return None
    return plots.utilisation_pct(result.samples[-1], rc)


def empty_hosts_at_end(result):
    """Hosts without an instance at the end of the run."""
    if result.samples:
        return result.samples[-1].hosts_empty
    return plots.host_counts(result).get(0, 0)


def png_size(data):
    """(width, height) of a PNG from its IHDR chunk."""
    if data[:8] != b'\x89PNG\r\n\x1a\n' or data[12:16] != b'IHDR':
        raise ValueError('not a PNG')
    return struct.unpack('>II', data[16:24])


def _fmt(value, fmt='%.1f', unit=''):
    return '-' if value is None else (fmt % value) + unit


def _share(part, whole):
    if not whole:
        return '-'
    return '%.1f%%' % (100.0 * (part or 0) / whole)


def _table(header, rows, cls):
    """An HTML table; every cell is text and is escaped here."""
    out = ['<table class="%s"><thead><tr>' % cls]
    out += ['<th>%s</th>' % html.escape(str(h)) for h in header]
    out.append('</tr></thead><tbody>')
    for row in rows:
        out.append('<tr>%s</tr>' % ''.join(
            '<td>%s</td>' % html.escape(str(c)) for c in row))
    out.append('</tbody></table>')
    return ''.join(out)


def _resource_classes(results):
    return sorted({rc for r in results for s in r.samples
                   for rc in s.capacity})


def _causes(results):
    return sorted({q.cause or 'unknown' for r in results for q in r.refused})


def _summary_rows(results):
    """Rows of the per-configuration summary table, one metric a row."""
    rows = [
        ['requests'] + [len(r.requests) for r in results],
        ['placed'] + [sum(q.placed for q in r.requests) for r in results],
        ['NoValidHost'] + [len(r.refused) for r in results],
    ]
    for cause in _causes(results):
        rows.append(['NoValidHost: %s' % cause] + [
            sum((q.cause or 'unknown') == cause for q in r.refused)
            for r in results])
    rows.append(['instances alive at the end'] + [r.alive for r in results])
    rows.append(['hosts empty at the end'] + [
        '%s / %s' % (empty_hosts_at_end(r), r.hosts) for r in results])
    for rc in _resource_classes(results):
        rows.append(['peak %s' % rc] + [
            _fmt(peak_utilisation(r, rc), unit='%') for r in results])
        rows.append(['final %s' % rc] + [
            _fmt(final_utilisation(r, rc), unit='%') for r in results])
    for pct in PERCENTILES:
        rows.append(['scheduler p%d' % pct] + [
            _fmt(percentile([q.scheduler_ms for q in r.requests], pct),
                 '%.2f', ' ms') for r in results])
    rows.append(['events/s'] + [
        _fmt(r.timing.get('events_per_s'), '%.0f') for r in results])
    return rows


def _timing_rows(results):
    """Where the wall time went, then the cycle's steps, per config."""
    rows = [['wall time'] + [
        _fmt(r.timing.get('wall_s'), '%.2f', ' s') for r in results]]
    for key, label in (('scheduler_s', 'scheduler'),
                       ('placement_s', 'Placement (sim)'),
                       ('simulator_s', 'simulator own')):
        rows.append([label] + [
            '%s (%s)' % (_fmt(r.timing.get(key), '%.2f', ' s'),
                         _share(r.timing.get(key), r.timing.get('wall_s')))
            for r in results])
    steps = sorted({s for r in results for s in r.timing.get('steps', {})})
    for step in steps:
        rows.append(['step: %s' % step] + [
            '%s (%s of scheduler)' % (
                _fmt(r.timing.get('steps', {}).get(step), '%.3f', ' s'),
                _share(r.timing.get('steps', {}).get(step),
                       r.timing.get('scheduler_s')))
            for r in results])
    return rows


def _run_rows(results):
    return [[r.name, ', '.join(r.config_files), r.scenario, r.seed,
             r.hosts, ', '.join(sorted(r.flavors)),
             r.timing.get('events', '-')] for r in results]


def _reason_rows(results, limit=10):
    """The most frequent NoValidHost texts per configuration."""
    rows = []
    for r in results:
        counts = collections.Counter(q.reason or '' for q in r.refused)
        for reason, n in counts.most_common(limit):
            rows.append([r.name, n, reason])
    return rows


def _plot_html(plot_id, title, caption, png):
    width, height = png_size(png)
    uri = 'data:image/png;base64,' + base64.b64encode(png).decode('ascii')
    return (
        '<figure><h2>%(title)s</h2>'
        '<img id="plot-%(id)s" class="plot" src="%(uri)s" width="%(w)d" '
        'height="%(h)d" alt="%(title)s">'
        '<figcaption>%(caption)s</figcaption></figure>' % {
            'id': html.escape(plot_id), 'title': html.escape(title),
            'uri': uri, 'w': width, 'h': height,
            'caption': html.escape(caption)})


def _legend_html(results):
    colour = plots.colours(results)
    return '<p>%s</p>' % ' '.join(
        '<span class="swatch" style="background:%s"></span>%s' % (
            colour[r.name], html.escape(r.name)) for r in results)


def render_html(results, title=None):
    """The whole report as one HTML string."""
    title = title or 'Scheduler what-if: %s' % ' vs '.join(
        r.name for r in results)
    names = [r.name for r in results]
    figures = [_plot_html(pid, ptitle, caption, plots.render(fn(results)))
               for pid, ptitle, caption, fn in plots.PLOTS]
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        '<title>%s</title><style>%s</style></head>' % (
            html.escape(title), CSS),
        '<body data-plots="%d"><h1>%s</h1>' % (
            len(figures), html.escape(title)),
        _legend_html(results),
        '<p id="plot-count">%d plots, %d configurations.</p>' % (
            len(figures), len(results)),
        '<h2>Summary</h2>',
        _table(['configuration'] + names, _summary_rows(results),
               'summary'),
        '<h2>Where the time went</h2>',
        _table([''] + names, _timing_rows(results), 'timing'),
        '<h2>Runs</h2>',
        _table(['configuration', 'config files', 'scenario', 'seed',
                'hosts', 'flavors', 'events'], _run_rows(results), 'runs'),
    ]
    parts.extend(figures)
    reasons = _reason_rows(results)
    if reasons:
        parts.append('<h2>NoValidHost reasons</h2>')
        parts.append(_table(['configuration', 'requests', 'reason'],
                            reasons, 'reasons'))
    parts.append('</body></html>\n')
    return '\n'.join(parts)


def write_html(results, path, title=None):
    """Write the report of ``results`` (RunResults) to ``path``.

    One self-contained HTML file: plots as embedded PNGs, inline CSS, no
    script, no external URL. Returns ``path``.
    """
    with open(path, 'w', encoding='utf-8') as f:
        f.write(render_html(results, title=title))
    return path


def _summary_line(result):
    peaks = ' '.join('%s %s' % (rc, _fmt(peak_utilisation(result, rc),
                                         unit='%'))
                     for rc in SUMMARY_RCS)
    placed = sum(q.placed for q in result.requests)
    return ('%s: placed %d/%d, refused %d, empty hosts at end %s/%d, '
            'peak %s, %s events/s' % (
                result.name, placed, len(result.requests),
                len(result.refused), empty_hosts_at_end(result),
                result.hosts, peaks,
                _fmt(result.timing.get('events_per_s'), '%.0f')))


def _verdict(results):
    """Which configuration leaves the most empty hosts at the end."""
    if len(results) < 2:
        return None
    empty = {r.name: empty_hosts_at_end(r) for r in results}
    best = max(empty.values())
    winners = [n for n, e in empty.items() if e == best]
    if len(winners) == len(results):
        return 'All configurations leave %d empty hosts at the end.' % best
    others = ', '.join('%s %d' % (n, e) for n, e in empty.items()
                       if n not in winners)
    return '%s leave%s the most empty hosts at the end: %d (%s).' % (
        ' and '.join(winners), 's' if len(winners) == 1 else '', best,
        others)


def summary(results, report_path):
    """A few lines for the terminal about ``results``.

    One line per configuration, which one leaves the most empty hosts,
    and where the report is.
    """
    lines = [_summary_line(r) for r in results]
    verdict = _verdict(results)
    if verdict:
        lines.append(verdict)
    lines.append('Report: %s' % report_path)
    return '\n'.join(lines)
