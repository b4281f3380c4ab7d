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

"""The HTTP side of Placement: one keystoneauth1 adapter, typed errors.

``PlacementClient`` sends every request through a keystoneauth1 Adapter
built from the ``[placement]`` options (session, auth plugin, adapter).
keystoneauth retries connection failures and 502/503/504 answers with a
bounded backoff (``connect_retries``, ``status_code_retries``); this module
turns what is left into one typed ``PlacementError`` whose reason says
what happened, and logs it once at ERROR. Nothing else leaves a call:
never a raw keystoneauth or requests exception, never ``None`` for a
failure. 404 and 409 answers are raised as ``PlacementNotFound`` and
``PlacementConflict`` and logged at DEBUG only: callers expect them
(a released consumer, a claim that lost a race) and decide.
"""

import re
import threading
from urllib import parse

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from oslo_config import cfg
from oslo_context import context as oslo_context
from oslo_log import log as logging
from oslo_serialization import jsonutils
from requests import exceptions as requests_exc

from scheduler import exception
from scheduler.placement import decoding
from scheduler.placement import versions

LOG = logging.getLogger(__name__)

GROUP = 'placement'
CLIENT_NAME = 'openstack-scheduler'
_DETAIL_MAX = 400
# webob's generic explanation, which Placement puts before its own detail.
_WEBOB_PREFIX = re.compile(
    r'^The server could not comply with the request since it is either '
    r'malformed or otherwise incorrect\.\s*|'
    r'^There was a conflict when trying to complete your request\.\s*|'
    r'^The resource could not be found\.\s*|'
    r'^The resource could not be generated that was acceptable to your '
    r'browser \(content of type \S+\.\s*')
# The cause keystoneauth wraps (``[Errno 111] Connection refused``).
_ERRNO = re.compile(r'\[Errno -?\d+\][^"\')]*')
_URL = re.compile(r'https?://\S+?(?=[\s:]*(\s|$|\())')


class PlacementNotFound(exception.PlacementQueryRejected):
    """Placement answered 404."""

    kind = 'not found'

    def __init__(self, reason, method=None, url=None, status_code=404,
                 error_code=None, detail=None):
        super().__init__(reason, method, url)
        self.status_code = status_code
        self.error_code = error_code
        self.detail = detail


class PlacementConflict(exception.PlacementQueryRejected):
    """Placement answered 409; ``error_code`` is its ``errors[0].code``."""

    kind = 'conflict'

    def __init__(self, reason, method=None, url=None, status_code=409,
                 error_code=None, detail=None):
        super().__init__(reason, method, url)
        self.status_code = status_code
        self.error_code = error_code
        self.detail = detail


def safe_url(url):
    """``url`` without user info, query or fragment (for messages)."""
    if not url:
        return url
    parts = parse.urlsplit(url)
    netloc = parts.netloc.rpartition('@')[2]
    return parse.urlunsplit((parts.scheme, netloc, parts.path, '', ''))


def _path(url):
    return parse.urlsplit(url).path or '/'


def _error_of(resp, content):
    """(code, detail) of a Placement error body, tolerant of anything.

    ``content``: the body's bytes (``PlacementClient._content``).
    """
    text = content.decode('utf-8', 'replace')
    try:
        error = jsonutils.loads(text)['errors'][0]
        code, detail = error.get('code'), error.get('detail') or ''
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        code, detail = None, text or resp.reason or ''
    detail = ' '.join(str(detail).split())
    detail = _WEBOB_PREFIX.sub('', detail) or detail
    # jsonschema appends the whole schema; the first sentence says it all.
    detail = detail.split(' Failed validating ')[0]
    if len(detail) > _DETAIL_MAX:
        detail = detail[:_DETAIL_MAX] + '...'
    return code, detail


def _caller_request_id():
    """The request id Placement should log for the request being served.

    As Nova's report client sends ``context.global_id``: the caller's
    ``global_request_id``, else its ``request_id``. The context is the one
    oslo.context keeps for this thread (the RPC serializer makes it for
    each request); outside a request there is none.
    """
    ctxt = oslo_context.get_current()
    if ctxt is None:
        return None
    return ctxt.global_request_id or ctxt.request_id


class PlacementClient(object):
    """Placement over keystoneauth1, configured by ``[placement]``.

    The adapter is built on first use (thread-safe). ``get``, ``put``,
    ``post`` and ``delete`` return the parsed JSON body, or ``None`` for
    an empty answer (204), and raise ``PlacementError`` subclasses.
    """

    def __init__(self, conf=cfg.CONF):
        self._conf = conf
        self._lock = threading.Lock()
        self._adapter = None
        self._endpoint = None
        self._max_version = None

    # -- set-up ----------------------------------------------------------

    def _get_adapter(self):
        if self._adapter is not None:
            return self._adapter
        with self._lock:
            if self._adapter is None:
                try:
                    session = ks_loading.load_session_from_conf_options(
                        self._conf, GROUP)
                    auth = ks_loading.load_auth_from_conf_options(
                        self._conf, GROUP)
                    self._adapter = ks_loading.load_adapter_from_conf_options(
                        self._conf, GROUP, session=session, auth=auth,
                        client_name=CLIENT_NAME)
                except (ks_exc.ClientException, cfg.Error) as e:
                    reason = ('cannot build the Placement client from the '
                              '[%s] options: %s' % (GROUP, e))
                    LOG.error('Placement call failed: %s', reason)
                    raise exception.PlacementError(reason)
        return self._adapter

    @property
    def endpoint(self):
        """Where Placement is, for messages (no credentials)."""
        if self._endpoint:
            return self._endpoint
        override = self._conf[GROUP].endpoint_override
        if override:
            return safe_url(override)
        return 'the %s endpoint of the service catalog' % (
            self._conf[GROUP].service_type)

    def _learn_endpoint(self, adapter):
        if self._endpoint:
            return
        try:
            self._endpoint = safe_url(adapter.get_endpoint())
        except ks_exc.ClientException:
            pass

    # -- requests --------------------------------------------------------

    def request(self, method, url, version=None, body=None,
                global_request_id=None, log_failure=True, decode=None):
        """Send one request; the parsed body, or a PlacementError.

        A failure is logged once at ERROR, unless ``log_failure`` is False
        (the caller reports it in its own words). ``decode``: what makes
        the body's bytes a value (plain JSON values by default); it raises
        PlacementError for a body it refuses.
        """
        try:
            return self._request(method, url, version, body,
                                 global_request_id, decode)
        except (PlacementNotFound, PlacementConflict) as e:
            e.endpoint = self.endpoint
            LOG.debug('Placement call answered: %s', e.reason)
            raise
        except exception.PlacementError as e:
            e.endpoint = self.endpoint
            if not isinstance(e, exception.PlacementQueryRejected):
                # The server may have changed (an upgrade, a failover).
                self._max_version = None
            if log_failure:
                LOG.error('Placement call failed: %s', e.reason)
            raise

    def _request(self, method, url, version, body, global_request_id,
                 decode=None):
        adapter = self._get_adapter()
        # The body is read by _content, in one call.
        kwargs = {'raise_exc': False, 'stream': True}
        if version:
            kwargs['microversion'] = version
        if body is not None:
            kwargs['json'] = body
        global_request_id = global_request_id or _caller_request_id()
        if global_request_id:
            kwargs['global_request_id'] = global_request_id
        path = _path(url)
        where = '%s %s' % (method, path)
        try:
            resp = adapter.request(url, method, **kwargs)
        except ks_exc.ConnectTimeout:
            raise exception.PlacementTimeout(
                'Placement at %s timed out after %gs (%s)'
                % (self.endpoint, self._conf[GROUP].timeout, where),
                method, url)
        except ks_exc.UnknownConnectionError as e:
            if not isinstance(e.original,
                              requests_exc.ChunkedEncodingError):
                raise self._unreachable(e, method, url, where)
            # The connection closed before the body it promised ended.
            raise exception.PlacementBadResponse(
                'Placement at %s cut its answer to %s short (%s)'
                % (self.endpoint, where, type(e.original).__name__),
                method, url)
        except ks_exc.ConnectionError as e:
            raise self._unreachable(e, method, url, where)
        except ks_exc.ClientException as e:
            # The auth plugin or the service catalog failed us.
            raise exception.PlacementUnreachable(
                'Placement at %s is unreachable (%s): authentication or '
                'endpoint lookup failed: %s' % (self.endpoint, where, e),
                method, url)
        except Exception as e:
            LOG.exception('Unexpected failure calling Placement (%s)', where)
            raise exception.PlacementError(
                'Placement at %s failed (%s): %s: %s'
                % (self.endpoint, where, type(e).__name__, e), method, url)
        self._learn_endpoint(adapter)
        return self._parse(resp, method, url, where, version, decode)

    def _unreachable(self, error, method, url, where):
        cause = _ERRNO.search(str(error))
        if cause:
            cause = cause.group(0)
        else:
            # keystoneauth's message quotes the URL with its query.
            cause = _URL.sub('<url>', str(error))[:_DETAIL_MAX]
        return exception.PlacementUnreachable(
            'Placement at %s is unreachable (%s): %s'
            % (self.endpoint, where, cause), method, url)

    def _content(self, resp, method, url, where):
        """The bytes of the body of ``resp`` (sent with ``stream``).

        Read in one call: ``Response.content`` reads a body in 10 KiB
        pieces, each through urllib3's and requests' layers, which cost
        as much as decoding an allocation candidates answer of 1,000
        providers (470 KB). ``iter_content`` gives the body keystoneauth
        has read already (to log it at DEBUG) and words urllib3's
        failures as requests' ones, which are Placement's errors here as
        when keystoneauth read the body.
        """
        try:
            return b''.join(resp.iter_content(chunk_size=None))
        except requests_exc.ChunkedEncodingError as e:
            raise exception.PlacementBadResponse(
                'Placement at %s cut its answer to %s short (%s)'
                % (self.endpoint, where, type(e).__name__), method, url)
        except requests_exc.ConnectionError as e:
            # A read timeout, or the connection dropped mid-body.
            raise self._unreachable(e, method, url, where)
        except requests_exc.RequestException as e:
            raise exception.PlacementBadResponse(
                'Placement at %s answered %s with a body that cannot be '
                'read (%s)' % (self.endpoint, where, type(e).__name__),
                method, url)

    def _parse(self, resp, method, url, where, version, decode=None):
        status = resp.status_code
        content = self._content(resp, method, url, where)
        if 200 <= status < 300:
            if status == 204 or not content:
                return None
            if decode is not None:
                return decode(content)
            try:
                return decoding.loads(content)
            except ValueError:
                raise exception.PlacementBadResponse(
                    'Placement at %s answered %d to %s with a body that is '
                    'not JSON: %r' % (self.endpoint, status, where,
                                      content[:100].decode('utf-8',
                                                           'replace')),
                    method, url)
        code, detail = _error_of(resp, content)
        if status >= 500:
            raise exception.PlacementServerError(
                'Placement at %s answered %d to %s: %s'
                % (self.endpoint, status, where, detail), method, url)
        if status == 408:
            raise exception.PlacementTimeout(
                'Placement at %s timed out (408) on %s: %s'
                % (self.endpoint, where, detail), method, url)
        if status == 406 and version:
            self._max_version = None
            raise exception.PlacementTooOld(
                'Placement at %s does not accept microversion %s (%s): %s'
                % (self.endpoint, version, where, detail), method, url)
        if status == 404:
            raise PlacementNotFound(
                'Placement at %s found nothing at %s: %s'
                % (self.endpoint, where, detail), method, url,
                error_code=code, detail=detail)
        if status == 409:
            raise PlacementConflict(
                'Placement at %s refused %s (409 %s): %s'
                % (self.endpoint, where, code, detail), method, url,
                error_code=code, detail=detail)
        raise exception.PlacementQueryRejected(
            'Placement at %s rejected the query (%d) %s: %s'
            % (self.endpoint, status, where, detail), method, url)

    def get(self, url, version=None, **kwargs):
        return self.request('GET', url, version, **kwargs)

    def put(self, url, body, version=None, **kwargs):
        return self.request('PUT', url, version, body=body, **kwargs)

    def post(self, url, body, version=None, **kwargs):
        return self.request('POST', url, version, body=body, **kwargs)

    def delete(self, url, version=None, **kwargs):
        return self.request('DELETE', url, version, **kwargs)

    # -- microversions ---------------------------------------------------

    def max_version(self):
        """The server's maximum microversion, as a tuple, e.g. (1, 39).

        Discovered from ``GET /`` once, and again after a failed call.
        """
        cached = self._max_version
        if cached is not None:
            return cached
        body = self.get('/')
        try:
            found = versions.parse(body['versions'][0]['max_version'])
        except (TypeError, KeyError, IndexError, ValueError,
                AttributeError):
            reason = ('Placement at %s answered GET / without a '
                      'versions[0].max_version: %r'
                      % (self.endpoint, str(body)[:100]))
            LOG.error('Placement call failed: %s', reason)
            raise exception.PlacementBadResponse(reason, 'GET', '/')
        self._max_version = found
        return found

    def supports(self, version):
        """True if the server accepts microversion ``version``."""
        return self.max_version() >= versions.parse(version)

    def require_version(self, min_version, feature=None):
        """Return ``min_version``, or raise PlacementTooOld."""
        found = self.max_version()
        if found < versions.parse(min_version):
            reason = ('Placement at %s supports microversions up to %s; '
                      '%s needs %s' % (self.endpoint, versions.to_str(found),
                                       feature or 'this scheduler',
                                       min_version))
            LOG.error('Placement call failed: %s', reason)
            raise exception.PlacementTooOld(reason)
        return min_version
