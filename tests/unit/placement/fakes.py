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

"""Test helpers: a private config for the Placement client, answers."""

from scheduler.placement import candidates as placement_candidates
from scheduler.sim import placement_server
from tests.fixtures import conf as conf_fixture

# Retries stay on (they are what we test), without their real delays.
FAST_RETRIES = {'connect_retry_delay': 0.001,
                'status_code_retry_delay': 0.001}


def new_conf():
    """A private ConfigOpts with every option of the service."""
    return conf_fixture.make_conf()


def make_conf(endpoint, **placement_overrides):
    """``new_conf()``, set to reach Placement at ``endpoint``."""
    conf = new_conf()
    placement_server.apply_placement_conf(conf, endpoint)
    for name, value in dict(FAST_RETRIES, **placement_overrides).items():
        conf.set_override(name, value, group='placement')
    return conf


def candidates(*trees):
    """Candidates: each tree ``(root, {rc: (capacity, used)}, traits)``.

    One allocation request per root; a sharing provider (trait
    ``MISC_SHARES_VIA_AGGREGATE``) is in the summaries only.
    """
    requests, summaries = [], {}
    for root, resources, traits in trees:
        summaries[root] = {
            'resources': {rc: {'capacity': cap, 'used': used}
                          for rc, (cap, used) in resources.items()},
            'traits': list(traits), 'root_provider_uuid': root,
            'parent_provider_uuid': None}
        if 'MISC_SHARES_VIA_AGGREGATE' not in traits:
            requests.append({'allocations': {root: {'resources': {}}}})
    return placement_candidates.Candidates(
        requests, placement_candidates.summaries(summaries), '1.36')
