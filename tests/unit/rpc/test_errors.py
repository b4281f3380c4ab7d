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

"""NoValidHost travels as Nova's own exception, through oslo.messaging."""

import sys
import types

import oslo_messaging
from oslo_messaging._drivers import common as driver_common
from oslo_messaging.rpc import dispatcher
import pytest

from scheduler import exception
from scheduler.rpc import errors


class _NovaException(Exception):
    """Stand-in for Nova's NovaException: message from msg_fmt % kwargs."""

    msg_fmt = 'An unknown exception occurred.'

    def __init__(self, message=None, **kwargs):
        self.kwargs = kwargs
        super().__init__(message or self.msg_fmt % kwargs)


class NoValidHost(_NovaException):
    """Stand-in for ``nova.exception.NoValidHost``."""

    msg_fmt = 'No valid host was found. %(reason)s'


NoValidHost.__module__ = _NovaException.__module__ = 'nova.exception'


@pytest.fixture
def nova_exception_module(monkeypatch):
    """A ``nova.exception`` module with NoValidHost, as a caller has."""
    module = types.ModuleType('nova.exception')
    module.NoValidHost = NoValidHost
    package = types.ModuleType('nova')
    package.exception = module
    monkeypatch.setitem(sys.modules, 'nova', package)
    monkeypatch.setitem(sys.modules, 'nova.exception', module)
    return module


def _sent(error):
    """What oslo.messaging puts on the wire for ``error`` raised here."""
    try:
        raise error
    except Exception:
        return driver_common.serialize_remote_exception(sys.exc_info())


def test_wire_exception_claims_nova_module_and_keyword_reason():
    error = errors.NoValidHost('no host has 64 GiB free')

    assert type(error).__module__ == 'nova.exception'
    assert type(error).__name__ == 'NoValidHost'
    assert error.args == ()
    assert error.kwargs == {'reason': 'no host has 64 GiB free'}
    assert str(error) == 'No valid host was found. no host has 64 GiB free'


def test_nova_caller_rebuilds_its_own_no_valid_host_with_our_reason(
        nova_exception_module):
    data = _sent(errors.NoValidHost('0/3 hosts passed RAMFilter'))

    received = driver_common.deserialize_remote_exception(
        data, ['nova.exception'])

    assert isinstance(received, nova_exception_module.NoValidHost)
    assert type(received).__name__ == 'NoValidHost_Remote'
    assert received.kwargs == {'reason': '0/3 hosts passed RAMFilter'}
    assert str(received).startswith(
        'No valid host was found. 0/3 hosts passed RAMFilter')


def test_caller_not_allowing_nova_exception_gets_remote_error_we_read():
    data = _sent(errors.NoValidHost('Placement unreachable: refused'))

    received = driver_common.deserialize_remote_exception(data, [])
    refusal = errors.from_remote(received)

    assert isinstance(received, oslo_messaging.RemoteError)
    assert received.exc_type == 'NoValidHost'
    assert isinstance(refusal, exception.NoValidHost)
    assert refusal.reason == 'Placement unreachable: refused'


def test_rebuilt_nova_exception_is_read_back_by_our_client(
        nova_exception_module):
    received = driver_common.deserialize_remote_exception(
        _sent(errors.NoValidHost('why')), ['nova.exception'])

    assert errors.from_remote(received).reason == 'why'
    assert errors.from_remote(ValueError('x')) is None
    assert errors.from_remote(
        oslo_messaging.RemoteError('KeyError', 'x')) is None


@pytest.mark.parametrize('error,reason', [
    (exception.NoValidHost('no capacity'), 'no capacity'),
    (exception.InvalidRequest('spec_obj.flavor is missing'),
     'invalid request: spec_obj.flavor is missing'),
    (exception.PlacementUnreachable('connection refused'),
     'Placement unreachable: connection refused'),
    # Placement's words (providers, consumers) stay out of the caller's.
    (exception.ClaimConflict('h1 is full'),
     'claim refused by Placement: the capacity was taken by a concurrent '
     'request'),
])
def test_refusals_are_sent_as_expected_no_valid_host(error, reason):
    @errors.refusals_as_no_valid_host
    def endpoint_method():
        raise error

    with pytest.raises(dispatcher.ExpectedException) as raised:
        endpoint_method()

    sent = raised.value.exc_info[1]
    assert isinstance(sent, errors.NoValidHost)
    assert sent.kwargs == {'reason': reason}
    # No chained scheduler exception in the traceback sent to the caller.
    assert sent.__suppress_context__


def test_other_errors_are_left_to_oslo_messaging():
    @errors.refusals_as_no_valid_host
    def endpoint_method():
        raise KeyError('bug')

    with pytest.raises(KeyError):
        endpoint_method()
    assert endpoint_method.__name__ == 'endpoint_method'
