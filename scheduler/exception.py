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

"""Typed errors, each with a reason that says why.

``NoValidHost`` is the one error callers see. It is sent over RPC as
``nova.exception.NoValidHost`` (see ``scheduler.rpc.errors``), so a stock
Nova caller rebuilds its own exception with our reason in the message.
Placement failures are their own classes: a caller or a log line can always
tell "Placement is down" from "no capacity".
"""

import re

_UUID = re.compile(r'[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-'
                   r'[0-9a-fA-F]{4}-[0-9a-fA-F]{12}')
_URL = re.compile(r'\w+://[^\s,;)]+')
_PLACEMENT_AT_URL = re.compile(r'Placement at \w+://[^\s,;)]+')


class SchedulerError(Exception):
    """Base of this service's errors; ``reason`` is for humans."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class NoValidHost(SchedulerError):
    """No host can take the request; ``reason`` says why.

    ``reason`` reaches end users (Nova's instance fault): counts and
    resource or trait names, never a host, provider or aggregate name or
    uuid. ``detail``, when set, is the operator's fuller account (logs and
    the ``scheduler.select_destinations.error`` notification).
    """

    def __init__(self, reason, detail=None):
        super().__init__(reason)
        self.detail = detail

    def __str__(self):
        return 'No valid host was found. %s' % self.reason


class InvalidRequest(SchedulerError):
    """The request itself is malformed (bad payload, bad extra spec)."""


class PlacementError(SchedulerError):
    """A call to Placement failed; subclasses name the failure class."""

    kind = 'failed'

    def __init__(self, reason, method=None, url=None):
        super().__init__(reason)
        self.method = method
        self.url = url
        # Set by the client: where the call went (for the operator only).
        self.endpoint = None

    def public_reason(self):
        """``reason`` as a caller may read it: no endpoint, no uuid.

        The operator's logs keep the endpoint; a path's uuids (a
        provider's, a consumer's) are masked.
        """
        reason = self.reason
        if self.endpoint:
            reason = reason.replace('Placement at %s' % self.endpoint,
                                    'Placement')
        reason = _PLACEMENT_AT_URL.sub('Placement', reason)
        return _UUID.sub('<uuid>', _URL.sub('<endpoint>', reason))


class PlacementUnreachable(PlacementError):
    kind = 'unreachable'


class PlacementTimeout(PlacementError):
    kind = 'timed out'


class PlacementServerError(PlacementError):
    kind = 'server error'


class PlacementQueryRejected(PlacementError):
    kind = 'rejected the query'


class PlacementBadResponse(PlacementError):
    kind = 'unparsable response'


class PlacementTooOld(PlacementError):
    kind = 'microversion too old'


class ClaimConflict(SchedulerError):
    """Placement refused a claim: the host no longer has the capacity.

    ``error_code`` is Placement's (``placement.concurrent_update``...),
    which names no provider and may be shown to the caller.
    """

    def __init__(self, reason, error_code=None):
        super().__init__(reason)
        self.error_code = error_code


class ConsumerHoldsClaim(ClaimConflict):
    """The consumer already holds the claim of this very request.

    A boot's consumer holding allocations, or a move's holding some on a
    host the move may go to (not only its source), is the same request
    delivered twice (RabbitMQ redelivers a call whose acknowledgement a
    failing node lost, and another worker takes it): ``allocations`` are
    what the consumer holds, the first delivery's claim among them, which
    this one must answer with, not add to.
    """

    def __init__(self, reason, allocations):
        super().__init__(reason, error_code='consumer already claimed')
        self.allocations = allocations


class PluginLoadError(SchedulerError):
    """A configured driver, filter or weigher could not be loaded."""


def no_valid_host(error):
    """The ``NoValidHost`` a refusal is to its caller: its one wording.

    ``error``: a NoValidHost (returned as it is), InvalidRequest,
    PlacementError or ClaimConflict.
    """
    if isinstance(error, NoValidHost):
        return error
    if isinstance(error, InvalidRequest):
        return NoValidHost('invalid request: %s' % error.reason)
    if isinstance(error, PlacementError):
        return NoValidHost(
            'Placement %s: %s' % (error.kind, error.public_reason()),
            detail='Placement %s: %s' % (error.kind, error.reason))
    if isinstance(error, ClaimConflict):
        # Placement's words name the consumer and the providers.
        return NoValidHost('claim refused by Placement: the capacity was '
                           'taken by a concurrent request',
                           detail='claim refused by Placement: %s'
                           % error.reason)
    raise TypeError('not a refusal: %r' % (error,))
