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

"""``--placement-option``: the embedded Placement's own options."""

import pytest

from scheduler.cmd import sim as sim_cmd
from scheduler.cmd import sim_boot
from scheduler.placement import client as placement_client
from scheduler.sim import placement_server
from tests.fixtures import placement_writes
from tests.unit.placement import fakes

RANDOMIZE = 'placement.randomize_allocation_candidates'


@pytest.mark.parametrize('text, expected', [
    (RANDOMIZE + '=true', (RANDOMIZE, 'true')),
    (' api.auth_strategy = noauth2 ', ('api.auth_strategy', 'noauth2')),
    ('placement.x=', ('placement.x', '')),
])
def test_parse_option(text, expected):
    assert placement_server.parse_option(text) == expected


@pytest.mark.parametrize('text', [
    'randomize=true', RANDOMIZE, '.x=1', 'placement.=1'])
def test_malformed_option(text):
    with pytest.raises(ValueError, match='GROUP.NAME=VALUE'):
        placement_server.parse_option(text)


def test_unknown_option_is_refused():
    placement_server.check_options({RANDOMIZE: 'true'})
    with pytest.raises(placement_server.UnknownOption,
                       match='placement.no_such'):
        placement_server.check_options({'placement.no_such': '1'})
    with pytest.raises(placement_server.UnknownOption):
        placement_server.check_options({'nogroup.x': '1'})


def test_server_conf_reads_the_option_as_its_type(tmp_path):
    server = placement_server.PlacementServer(
        str(tmp_path), options={RANDOMIZE: 'true'})
    assert server._build_conf().placement.randomize_allocation_candidates
    default = placement_server.PlacementServer(str(tmp_path))
    assert not default._build_conf().placement.randomize_allocation_candidates


def test_randomized_placement_shuffles_before_the_limit(tmp_path):
    server = placement_server.PlacementServer(
        str(tmp_path), options={RANDOMIZE: 'true'})
    server.start()
    try:
        client = placement_client.PlacementClient(
            fakes.make_conf(server.endpoint))
        for n in range(8):
            placement_writes.provider(
                client, 'host-%d' % n, {'VCPU': {'total': 8}})
        seen = set()
        for _ in range(6):
            body = client.get('/allocation_candidates?resources=VCPU:1'
                              '&limit=2', '1.36')
            seen.update(rp for request in body['allocation_requests']
                        for rp in request['allocations'])
        # Unshuffled, every answer would name the same two providers.
        assert len(seen) > 2
    finally:
        server.stop()


def test_run_cli_collects_options():
    args = sim_cmd.parse_run_args(['--placement-option', RANDOMIZE + '=1'])
    assert args.placement_options == {RANDOMIZE: '1'}
    assert sim_cmd.parse_run_args([]).placement_options == {}


@pytest.mark.parametrize('text', ['nonsense', 'placement.no_such=1'])
def test_run_cli_refuses_a_bad_option(text, capsys):
    with pytest.raises(SystemExit):
        sim_cmd.parse_run_args(['--placement-option', text])
    assert '--placement-option' in capsys.readouterr().err


def test_boot_cli_collects_options():
    args = sim_boot.parse_args(['--placement-option', RANDOMIZE + '=true'])
    assert args.placement_options == {RANDOMIZE: 'true'}
