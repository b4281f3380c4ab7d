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

"""A body read in one call is the body ``Response.content`` reads.

The client asks for the body as a stream and reads it whole
(``PlacementClient._content``), not in requests' 10 KiB pieces: the
same bytes, the same decoded value, whether keystoneauth read it first
(to log it at DEBUG) or not, and a body that breaks off is a typed
PlacementError still.
"""

import http.client
import io
import logging

import orjson
import pytest
import requests

from scheduler import exception
from scheduler.placement import client as placement_client
from tests.unit.placement import fakes

ENDPOINT = 'http://placement.test:8778'
URL = ENDPOINT + '/allocation_candidates?resources=VCPU:1'


def _answer(providers):
    uuids = ['%08d-0000-4000-8000-000000000000' % i
             for i in range(providers)]
    return {'allocation_requests': [
        {'allocations': {u: {'resources': {'VCPU': 1, 'MEMORY_MB': 512}}},
         'mappings': {'': [u]}} for u in uuids],
        'provider_summaries': {u: {
            'resources': {'VCPU': {'capacity': 64, 'used': 3}},
            'traits': ['HW_CPU_X86_AVX2', 'COMPUTE_STATUS_ENABLED'],
            'parent_provider_uuid': None, 'root_provider_uuid': u}
            for u in uuids}}


@pytest.fixture
def client():
    return placement_client.PlacementClient(fakes.make_conf(ENDPOINT))


@pytest.mark.parametrize('providers', [0, 1, 40, 2000])
def test_body_read_whole_is_what_content_reads(client, requests_mock,
                                               providers):
    raw = orjson.dumps(_answer(providers))
    requests_mock.get(URL, content=raw,
                      headers={'Content-Type': 'application/json'})

    value = client.get('/allocation_candidates?resources=VCPU:1', '1.36')
    # The slow path: requests' own reading, in 10 KiB pieces.
    slow = requests.get(URL).content

    assert slow == raw
    assert value == orjson.loads(slow) == _answer(providers)
    assert requests_mock.request_history[0].stream is True


def test_body_keystoneauth_logged_first_is_read_again(
        client, requests_mock, caplog):
    raw = orjson.dumps(_answer(30))
    requests_mock.get(URL, content=raw,
                      headers={'Content-Type': 'application/json'})
    # At DEBUG keystoneauth reads the body to log it, before the client.
    caplog.set_level(logging.DEBUG, logger='keystoneauth')

    value = client.get('/allocation_candidates?resources=VCPU:1', '1.36')

    assert value == _answer(30)
    assert 'RESP BODY' in caplog.text


def test_error_body_is_read_once_for_its_code(client, requests_mock):
    requests_mock.put(ENDPOINT + '/allocations/c1', status_code=409, json={
        'errors': [{'status': 409, 'code': 'placement.concurrent_update',
                    'detail': 'There was a conflict when trying to complete '
                              'your request.\n\n resource provider '
                              'generation conflict'}]})

    with pytest.raises(placement_client.PlacementConflict) as err:
        client.put('/allocations/c1', {'allocations': {}}, '1.36')

    assert err.value.error_code == 'placement.concurrent_update'
    assert err.value.detail == 'resource provider generation conflict'


def test_no_content_is_none(client, requests_mock):
    requests_mock.delete(ENDPOINT + '/allocations/c1', status_code=204)

    assert client.delete('/allocations/c1', '1.36') is None


def test_not_json_names_the_start_of_the_body(client, requests_mock):
    requests_mock.get(URL, content=b'<html>proxy error \xff</html>',
                      headers={'Content-Type': 'text/html'})

    with pytest.raises(exception.PlacementBadResponse) as err:
        client.get('/allocation_candidates?resources=VCPU:1', '1.36')

    assert '<html>proxy error' in err.value.reason


class _BreaksOff(io.RawIOBase):
    """A body whose connection closes after ``good`` bytes."""

    def __init__(self, good):
        self._good = io.BytesIO(good)

    def readable(self):
        return True

    def readinto(self, buffer):
        n = self._good.readinto(buffer)
        if n:
            return n
        raise http.client.IncompleteRead(b'', 1000)


def test_body_that_breaks_off_is_a_bad_response(client, requests_mock):
    requests_mock.get(URL, body=_BreaksOff(b'{"allocation_requests": ['),
                      headers={'Content-Type': 'application/json'})

    with pytest.raises(exception.PlacementBadResponse) as err:
        client.get('/allocation_candidates?resources=VCPU:1', '1.36')

    assert 'cut its answer to GET /allocation_candidates short' in (
        err.value.reason)
    assert 'resources=VCPU' not in err.value.reason
