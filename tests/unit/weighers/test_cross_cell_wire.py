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

"""A cross-cell move as Nova sends it reaches CrossCellWeigher."""

from scheduler.rpc import primitives
from scheduler.weighers import cross_cell
from tests.unit.host_state import fakes

CELL = '4c0f5d3e-7a6b-4d1e-9c2b-1a2b3c4d5e6f'


def _destination(**data):
    return {'nova_object.name': 'Destination',
            'nova_object.namespace': 'nova', 'nova_object.version': '1.4',
            'nova_object.data': data}


def _cell():
    return {'nova_object.name': 'CellMapping',
            'nova_object.namespace': 'nova', 'nova_object.version': '1.1',
            'nova_object.data': {'uuid': CELL}}


def test_cross_cell_move_from_the_wire_prefers_the_source_cell():
    destination = primitives.DESTINATION.read(
        _destination(cell=_cell(), allow_cross_cell_move=True), 'spec')
    assert destination.allow_cross_cell_move
    spec = fakes.make_spec(requested_destination=destination)
    weigher = cross_cell.CrossCellWeigher(conf=fakes.make_conf())
    in_cell = fakes.make_host_set([{'name': 'a'}], cell_uuid=CELL)[0]
    elsewhere = fakes.make_host_set([{'name': 'b'}])[0]
    assert weigher._weigh_object(in_cell, spec) == 1
    assert weigher._weigh_object(elsewhere, spec) == -1


def test_a_destination_cell_alone_is_no_cross_cell_move():
    destination = primitives.DESTINATION.read(
        _destination(cell=_cell()), 'spec')
    assert not destination.allow_cross_cell_move
    spec = fakes.make_spec(requested_destination=destination)
    host = fakes.make_host_set([{'name': 'a'}])[0]
    weigher = cross_cell.CrossCellWeigher(conf=fakes.make_conf())
    assert weigher._weigh_object(host, spec) == 0


def test_cross_cell_move_survives_our_own_writer():
    destination = primitives.DESTINATION.read(
        _destination(cell=_cell(), allow_cross_cell_move=True), 'spec')
    written = primitives.DESTINATION.write(destination)
    assert written['nova_object.data']['allow_cross_cell_move'] is True
    assert primitives.DESTINATION.read(
        written, 'spec').allow_cross_cell_move
