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

"""PlacementServer: a real Placement that can go down and come back."""

import logging

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg
import pytest

from scheduler import exception
from scheduler.placement import client as placement_client
from scheduler.sim import placement_server
from tests.fixtures import placement_writes
from tests.unit.placement import fakes


@pytest.fixture
def server(tmp_path):
    server = placement_server.PlacementServer(str(tmp_path))
    server.start()
    yield server
    server.stop()


def _client(endpoint):
    return placement_client.PlacementClient(fakes.make_conf(endpoint))


def _names(client):
    body = client.get('/resource_providers', '1.14')
    return sorted(rp['name'] for rp in body['resource_providers'])


def test_server_speaks_placement_1_39_over_http(server):
    assert server.endpoint.startswith('http://127.0.0.1:')
    assert _client(server.endpoint).max_version() == (1, 39)


def test_stopped_server_is_unreachable_and_restart_serves_again(
        server, caplog):
    client = _client(server.endpoint)
    placement_writes.create_provider(client, 'cn1')
    port = server.port
    server.stop()
    with caplog.at_level(logging.WARNING):
        with pytest.raises(exception.PlacementUnreachable) as ctx:
            client.get('/resource_providers', '1.14')
    assert 'Placement at %s is unreachable' % server.endpoint in (
        ctx.value.reason)
    assert 'Connection refused' in ctx.value.reason
    assert len([r for r in caplog.records
                if r.levelno >= logging.ERROR]) == 1

    server.start()
    assert server.port == port
    assert _names(client) == ['cn1']


def test_new_server_on_same_workdir_keeps_the_database(tmp_path):
    first = placement_server.PlacementServer(str(tmp_path))
    with first:
        placement_writes.create_provider(_client(first.endpoint), 'cn1')
    second = placement_server.PlacementServer(str(tmp_path))
    with second:
        assert _names(_client(second.endpoint)) == ['cn1']


def test_two_servers_in_one_process_keep_separate_databases(tmp_path):
    (tmp_path / 'a').mkdir()
    (tmp_path / 'b').mkdir()
    one = placement_server.PlacementServer(str(tmp_path / 'a'))
    two = placement_server.PlacementServer(str(tmp_path / 'b'))
    with one, two:
        placement_writes.create_provider(_client(one.endpoint), 'in-one')
        placement_writes.create_provider(_client(two.endpoint), 'in-two')
        assert _names(_client(one.endpoint)) == ['in-one']
        assert _names(_client(two.endpoint)) == ['in-two']


def test_placement_options_stay_off_the_global_config(server):
    assert 'placement_database' not in cfg.CONF
    assert 'api' not in cfg.CONF


def test_conf_overrides_use_admin_token_and_endpoint_override():
    assert placement_server.placement_conf_overrides('http://x:1') == {
        'auth_type': 'admin_token', 'endpoint_override': 'http://x:1',
        'token': 'admin'}


def test_admin_token_plugin_endpoint_option_works_too(server):
    conf = fakes.new_conf()
    conf.register_opts(
        ks_loading.get_auth_plugin_conf_options('admin_token'),
        group='placement')
    for name, value in {'auth_type': 'admin_token', 'token': 'admin',
                        'endpoint': server.endpoint}.items():
        conf.set_override(name, value, group='placement')
    client = placement_client.PlacementClient(conf)
    assert _names(client) == []
    assert client.endpoint == server.endpoint


def test_wrong_token_is_refused_by_noauth2(server):
    client = placement_client.PlacementClient(
        fakes.make_conf(server.endpoint, token='not-admin'))
    with pytest.raises(exception.PlacementQueryRejected) as ctx:
        client.get('/resource_providers', '1.14')
    assert '(401)' in ctx.value.reason or '(403)' in ctx.value.reason


def test_endpoint_of_a_never_started_server_is_an_error(tmp_path):
    server = placement_server.PlacementServer(str(tmp_path))
    server.stop()  # harmless
    with pytest.raises(RuntimeError):
        server.endpoint
