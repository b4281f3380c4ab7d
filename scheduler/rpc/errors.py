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

"""How a refusal travels to the caller: as Nova's own ``NoValidHost``.

oslo.messaging sends a server-side exception as its class name, its module,
``str(exc)``, ``exc.args`` and ``exc.kwargs``; the caller rebuilds
``module.Class(*args, **kwargs)`` only when the module is in its
``allowed_remote_exmods`` (Nova allows ``nova.exception``), and gets a bare
``RemoteError`` otherwise. So the wire exception below claims the module
``nova.exception`` and the name ``NoValidHost``, with ``args == ()`` and
``kwargs == {'reason': reason}``: a Nova caller rebuilds
``nova.exception.NoValidHost(reason=reason)``, whose message is
``"No valid host was found. <reason>"``, exactly as from Nova's scheduler.

Choice for malformed requests: an invalid payload (``InvalidRequest``) also
goes back as ``NoValidHost``, with the reason ``"invalid request: ..."``.
The conductor already handles ``NoValidHost`` for every operation (the
instance goes to ERROR with our reason as its fault), whereas any other
exception reaches it as an unexpected ``RemoteError``. Placement failures
and claim conflicts that escape the manager are sent the same way, their
reason naming the failure. Every one of them is an *expected* exception:
the server logs no traceback for it.
"""

import functools

import oslo_messaging

from scheduler import exception

NOVA_EXCEPTION_MODULE = 'nova.exception'
NO_VALID_HOST_FORMAT = 'No valid host was found. %(reason)s'


class NoValidHost(Exception):
    """Nova's ``NoValidHost``, as it must look on the wire.

    Only its name, module, message, ``args`` and ``kwargs`` travel; Nova's
    class is rebuilt on the caller's side.
    """

    msg_fmt = NO_VALID_HOST_FORMAT

    def __init__(self, reason=''):
        # No positional arguments: oslo.messaging sends ``args`` and Nova's
        # constructor takes the reason by keyword only.
        super().__init__()
        self.reason = reason
        self.kwargs = {'reason': reason}

    def __str__(self):
        return self.msg_fmt % self.kwargs


NoValidHost.__module__ = NOVA_EXCEPTION_MODULE

# The errors of this service that a caller is told about as NoValidHost.
REFUSALS = (exception.NoValidHost, exception.InvalidRequest,
            exception.PlacementError, exception.ClaimConflict)


def wire_reason(error):
    """The reason a caller reads for one of ``REFUSALS``."""
    return exception.no_valid_host(error).reason


def to_wire(error):
    """The wire ``NoValidHost`` for one of ``REFUSALS``."""
    return NoValidHost(wire_reason(error))


def refusals_as_no_valid_host(func):
    """Decorate an endpoint method: refusals reach the caller as NoValidHost.

    The wire exception is marked expected, so oslo.messaging replies with
    it without logging a traceback. Any other exception is a bug and is
    left to oslo.messaging, which logs it and sends a ``RemoteError``.
    """
    def translated(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except REFUSALS as e:
            raise to_wire(e) from None
    expected = oslo_messaging.expected_exceptions(NoValidHost)(translated)
    return functools.wraps(func)(expected)


def from_remote(error):
    """``scheduler.exception.NoValidHost`` for a remote NoValidHost, or None.

    Our client sees the server's refusal as a ``RemoteError`` naming
    ``NoValidHost`` (real brokers, ``nova.exception`` not allowed), as the
    rebuilt Nova exception (``nova.exception`` allowed and installed), or as
    the wire exception itself (the in-process ``fake://`` driver).
    """
    if isinstance(error, oslo_messaging.RemoteError):
        if error.exc_type != 'NoValidHost':
            return None
        message = error.value or ''
        prefix = NO_VALID_HOST_FORMAT % {'reason': ''}
        if message.startswith(prefix):
            message = message[len(prefix):]
        return exception.NoValidHost(message)
    cls = type(error)
    if (cls.__name__.split('_')[0] == 'NoValidHost' and
            cls.__module__.startswith(NOVA_EXCEPTION_MODULE)):
        kwargs = getattr(error, 'kwargs', None) or {}
        return exception.NoValidHost(str(kwargs.get('reason', '')))
    return None
