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

"""The simulator's HTML report in a real headless browser (chromium).

A copy of the report gets a probe script that, once the page has loaded,
checks every ``img.plot``: decoded, of its declared size, and not blank
(drawn on a canvas, its non-white pixels counted); the browser's
``--dump-dom`` output carries the verdict back as JSON. Skipped when no
browser is installed, unless ``CI`` is set: then it fails.
"""

import html
import json
import os
import re
import shutil
import subprocess

import pytest

from scheduler.sim import plots
from scheduler.sim import report
from tests.unit.sim import test_report

BROWSERS = ('chromium', 'chromium-browser', 'google-chrome')
TIMEOUT = 120
# A plot is blank when fewer of its pixels than this are not white.
MIN_INK = 0.01

PROBE = '''
<pre id="result"></pre>
<script>
window.onload = function () {
  var out = {declared: document.body.dataset.plots, plots: []};
  document.querySelectorAll('img.plot').forEach(function (img) {
    var entry = {id: img.id, complete: img.complete,
                 naturalWidth: img.naturalWidth,
                 naturalHeight: img.naturalHeight,
                 width: Number(img.getAttribute('width')),
                 height: Number(img.getAttribute('height'))};
    try {
      var canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      var ctx = canvas.getContext('2d');
      ctx.drawImage(img, 0, 0);
      var data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      var ink = 0;
      for (var i = 0; i < data.length; i += 4) {
        if (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240) {
          ink++;
        }
      }
      entry.ink = ink / (data.length / 4);
    } catch (e) {
      entry.error = String(e);
    }
    out.plots.push(entry);
  });
  document.getElementById('result').textContent = JSON.stringify(out);
};
</script>
'''


def _browser():
    """The path of a headless-capable browser, or skip (fail under CI)."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get('CI', '').lower() not in ('', '0', 'false', 'no'):
        pytest.fail('no browser (%s) found and CI is set: install Debian '
                    'chromium (tools/ensure-chromium)' % ', '.join(BROWSERS))
    pytest.skip('no browser found (%s); tools/ensure-chromium installs '
                'one' % ', '.join(BROWSERS))


def _probe_copy(report_path, probe_path):
    with open(report_path, encoding='utf-8') as f:
        text = f.read()
    assert text.count('</body>') == 1
    with open(probe_path, 'w', encoding='utf-8') as f:
        f.write(text.replace('</body>', PROBE + '</body>'))


def _dump_dom(browser, path, tmp_path):
    """The DOM of ``path`` after load, as chromium serialises it."""
    cmd = [browser, '--headless', '--no-sandbox', '--disable-gpu',
           '--no-first-run', '--disable-extensions',
           '--user-data-dir=%s' % (tmp_path / 'profile'),
           '--virtual-time-budget=5000', '--dump-dom', 'file://%s' % path]
    proc = subprocess.run(cmd, capture_output=True, text=True,
                          timeout=TIMEOUT, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def _result(dom):
    match = re.search(r'<pre id="result">(.*?)</pre>', dom, re.S)
    assert match, 'no <pre id="result"> in the dumped DOM'
    assert match.group(1), 'the probe did not run: onload never fired'
    return json.loads(html.unescape(match.group(1)))


def test_every_plot_renders_in_chromium(tmp_path):
    browser = _browser()
    report_path = report.write_html(test_report.make_pair(),
                                    str(tmp_path / 'report.html'))
    probe_path = tmp_path / 'probe.html'
    _probe_copy(report_path, probe_path)

    result = _result(_dump_dom(browser, probe_path, tmp_path))

    assert int(result['declared']) == len(plots.PLOTS)
    assert len(result['plots']) == int(result['declared'])
    assert [p['id'] for p in result['plots']] == [
        'plot-%s' % plot_id for plot_id, _t, _c, _f in plots.PLOTS]
    for plot in result['plots']:
        assert 'error' not in plot, plot
        assert plot['complete'], plot
        assert plot['naturalWidth'] == plot['width'] > 0, plot
        assert plot['naturalHeight'] == plot['height'] > 0, plot
        assert plot['ink'] > MIN_INK, plot
