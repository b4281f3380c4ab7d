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

from scheduler.filters import requested_hosts
from scheduler.objects import request_spec
from tests.unit.host_state import fakes


def _masks(**fields):
    host_set = fakes.make_host_set(
        [{'name': 'alpha'}, {'name': 'Beta'}, {'name': 'gamma'}])
    spec = fakes.make_spec(**fields)
    return [(label, list(mask)) for label, mask
            in requested_hosts.requested_host_masks(host_set, spec)]


def test_no_constraint_gives_no_step():
    assert _masks() == []


def test_ignore_hosts_removes_them_case_insensitively():
    assert _masks(ignore_hosts=['ALPHA', 'beta']) == [
        ('ignore_hosts', [False, False, True])]


def test_force_hosts_keeps_only_them():
    assert _masks(force_hosts=['beta']) == [
        ('force_hosts', [False, True, False])]


def test_force_nodes_match_the_node_name():
    assert _masks(force_nodes=['gamma']) == [
        ('force_nodes', [False, False, True])]


def test_requested_destination_host_and_node():
    dest = request_spec.Destination(host='alpha', node='alpha')
    assert _masks(requested_destination=dest) == [
        ('requested_destination host', [True, False, False]),
        ('requested_destination node', [True, False, False])]


def test_requested_destination_without_host_keeps_its_cell():
    dest = request_spec.Destination(cell_uuid=fakes.CELL)
    [(label, mask)] = _masks(requested_destination=dest)
    assert label == 'requested_destination cell'
    assert list(mask) == [True] * len(mask)


def test_requested_destination_that_may_cross_cells_is_no_constraint():
    dest = request_spec.Destination(cell_uuid=fakes.CELL,
                                    allow_cross_cell_move=True)
    assert _masks(requested_destination=dest) == []
