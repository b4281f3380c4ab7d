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

"""[scheduler] max_request_items and max_request_string_length."""

import pytest

from scheduler import exception
from scheduler.rpc import readers
from scheduler.rpc import server as rpc_server
from tests.unit.placement import fakes


@pytest.fixture
def conf():
    return fakes.new_conf()


def _bounds(conf):
    """What the endpoint built from ``conf`` reads requests with."""
    return rpc_server.SchedulerEndpoint(manager=None, conf=conf).bounds


def test_defaults_are_the_documented_bounds(conf):
    bounds = _bounds(conf)

    assert (bounds.items, bounds.string) == (10000, 65535)
    assert bounds == readers.Bounds()


def test_a_list_longer_than_max_request_items_is_refused(conf):
    conf.set_override('max_request_items', 3, group='scheduler')

    with readers.bounded(_bounds(conf)):
        assert readers.read_strings(['a', 'b', 'c'], 'ignore_hosts') == [
            'a', 'b', 'c']
        with pytest.raises(exception.InvalidRequest) as err:
            readers.read_strings(['a', 'b', 'c', 'd'], 'ignore_hosts')
    assert err.value.reason == (
        'ignore_hosts has more than 3 items ([scheduler] max_request_items)')


def test_hints_are_bounded_in_number_and_values(conf):
    conf.set_override('max_request_items', 2, group='scheduler')

    with readers.bounded(_bounds(conf)):
        with pytest.raises(exception.InvalidRequest):
            readers.read_hints({'a': 1, 'b': 2, 'c': 3}, 'scheduler_hints')
        with pytest.raises(exception.InvalidRequest) as err:
            readers.read_hints({'a': [1, 2, 3]}, 'scheduler_hints')
    assert "scheduler_hints['a'] has more than 2 items" in err.value.reason


def test_a_string_longer_than_the_bound_is_refused(conf):
    conf.set_override('max_request_string_length', 300, group='scheduler')

    with readers.bounded(_bounds(conf)):
        assert readers.read_str('x' * 300, 'flavor.name') == 'x' * 300
        with pytest.raises(exception.InvalidRequest) as err:
            readers.read_str('x' * 301, 'flavor.name')
    assert 'max_request_string_length' in err.value.reason


def test_an_endpoints_bounds_do_not_leak_to_another_or_outside(conf):
    conf.set_override('max_request_items', 1, group='scheduler')
    strict = _bounds(conf)
    relaxed = _bounds(fakes.new_conf())

    with readers.bounded(strict):
        with pytest.raises(exception.InvalidRequest):
            readers.read_strings(['a', 'b'], 'ignore_hosts')
        with readers.bounded(relaxed):
            assert readers.read_strings(['a', 'b'], 'ignore_hosts') == [
                'a', 'b']
        with pytest.raises(exception.InvalidRequest):
            readers.read_strings(['a', 'b'], 'ignore_hosts')
    assert readers.read_strings(['a', 'b'], 'ignore_hosts') == ['a', 'b']
