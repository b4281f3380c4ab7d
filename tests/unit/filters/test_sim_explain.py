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

"""``scheduler-sim boot --explain`` prints what filters and weighers say."""

import io

from scheduler.cmd import sim_boot as sim
from scheduler.filters import compute_filter
from scheduler.filters import explain
from scheduler.filters import handler
from tests.unit.filters import helpers as h


def test_explain_flag_is_parsed():
    assert sim.parse_args(['--explain']).explain
    assert not sim.parse_args([]).explain


def test_printer_shows_each_hosts_fate_and_weight():
    out = io.StringIO()
    printer = sim.explanation_printer(out)
    explainer = explain.Explainer()
    explainer.add_listener(printer)
    flt = handler.FilterHandler(conf=h.conf(), filters=[
        ('ComputeFilter', compute_filter.ComputeFilter())],
        explainer=explainer)
    service = {'service_up': True, 'service_disabled': False}
    hosts = h.host_set([
        h.host('up', compute=h.compute(**service)),
        h.host('off', compute=h.compute(**service),
               traits=['COMPUTE_STATUS_DISABLED'])])
    spec = h.spec(instance_uuid='inst-1')
    flt.run(hosts, spec)
    explainer.emit(explain.title('weigh', spec, 0), explain.format_weights(
        hosts, [0], [1.0], {'RAMWeigher': [1.0]}))
    assert out.getvalue() == (
        'filter: instance 1 of inst-1\n'
        '  up (up): passed\n'
        '  off (off): removed by ComputeFilter\n'
        'weigh: instance 1 of inst-1\n'
        '  up (up): weight 1.0000 [RAMWeigher 1.0000]\n')
