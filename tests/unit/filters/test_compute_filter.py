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

import numpy as np

from scheduler.filters import compute_filter
from scheduler.host_state import facts as host_facts
from scheduler.host_state import host_state as hs
from tests.unit.host_state import fakes


def _hosts():
    hosts = [
        {'name': 'up'},
        {'name': 'disabled', 'traits': [hs.DISABLED_TRAIT, 'COMPUTE_NODE']},
        {'name': 'other-traits', 'traits': ['COMPUTE_NODE']},
    ]
    return fakes.make_host_set(hosts, facts=fakes.services_up(hosts))


def test_host_with_disabled_trait_never_passes():
    flt = compute_filter.ComputeFilter(conf=fakes.make_conf())
    host_set = _hosts()
    spec = fakes.make_spec()
    assert not flt.host_passes(host_set[1], spec)
    assert list(flt.filter_mask(host_set, spec)) == [True, False, True]


def test_host_without_a_compute_record_fails():
    # No source reported its service: it is not known to be up.
    flt = compute_filter.ComputeFilter(conf=fakes.make_conf())
    hosts = [{'name': 'reported'}, {'name': 'unreported'}]
    host_set = fakes.make_host_set(hosts, facts=fakes.services_up(hosts[:1]))
    spec = fakes.make_spec()
    assert [flt.host_passes(h, spec) for h in host_set] == [True, False]
    assert list(flt.filter_mask(host_set, spec)) == [True, False]


def _service(kind):
    if kind == 'unknown':
        return None
    return host_facts.HostFacts(compute=host_facts.ComputeFacts(
        service_up=kind != 'down', service_disabled=kind == 'disabled'))


def test_column_and_per_host_answers_agree():
    flt = compute_filter.ComputeFilter(conf=fakes.make_conf())
    rng = np.random.default_rng(7)
    kinds = ['up', 'up', 'up', 'down', 'disabled', 'unknown']
    hosts = [{'name': 'h%d' % i,
              'traits': [hs.DISABLED_TRAIT] if rng.random() < 0.3 else []}
             for i in range(200)]
    facts = {h['name']: _service(kinds[rng.integers(len(kinds))])
             for h in hosts}
    host_set = fakes.make_host_set(
        hosts, facts={k: v for k, v in facts.items() if v is not None})
    spec = fakes.make_spec()
    per_host = [flt.host_passes(h, spec) for h in host_set]
    assert list(flt.filter_mask(host_set, spec)) == per_host
    assert 0 < sum(per_host) < 200
