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

"""Answers cut short and dropped connections: named, without the URL."""

import pytest
import requests

from scheduler import exception
from scheduler.placement import client as placement_client
from tests.unit.placement import fakes

ENDPOINT = 'http://placement.test:8778'
URL = ENDPOINT + '/allocation_candidates?resources=VCPU:1&limit=5'


@pytest.fixture
def client():
    return placement_client.PlacementClient(fakes.make_conf(ENDPOINT))


def test_body_cut_short_is_a_bad_response(client, requests_mock):
    requests_mock.get(URL, exc=requests.exceptions.ChunkedEncodingError(
        'Connection broken: IncompleteRead(10 bytes read, 90 more)'))

    with pytest.raises(exception.PlacementBadResponse) as err:
        client.get('/allocation_candidates?resources=VCPU:1&limit=5')

    assert err.value.reason == (
        'Placement at %s cut its answer to GET /allocation_candidates '
        'short (ChunkedEncodingError)' % ENDPOINT)


def test_dropped_connection_is_unreachable_without_the_query(
        client, requests_mock):
    requests_mock.get(URL, exc=requests.exceptions.ConnectionError(
        "('Connection aborted.', RemoteDisconnected('closed'))"))

    with pytest.raises(exception.PlacementUnreachable) as err:
        client.get('/allocation_candidates?resources=VCPU:1&limit=5')

    assert 'Connection aborted.' in err.value.reason
    assert 'resources=VCPU' not in err.value.reason


def test_failure_the_caller_reports_is_not_logged(
        client, requests_mock, caplog):
    requests_mock.get(ENDPOINT + '/resource_classes', status_code=403,
                      json={'errors': [{'status': 403, 'detail': 'no'}]})

    with pytest.raises(exception.PlacementQueryRejected):
        client.get('/resource_classes', '1.2', log_failure=False)
    with pytest.raises(exception.PlacementQueryRejected):
        client.get('/resource_classes', '1.2')

    assert [r.levelname for r in caplog.records
            if 'Placement call failed' in r.getMessage()] == ['ERROR']
