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

"""A claim whose release failed is released later, only if still ours."""

import pytest

from scheduler.drivers import filter_scheduler
from scheduler.drivers import releases
from scheduler import exception
from tests.unit.drivers import fake_placement
from tests.unit.host_state import fakes


def _failed_request(limit=40):
    """Two claims made, the third instance does not fit, release fails."""
    placement = fake_placement.FakePlacement(
        [dict(name='host-%d' % i, capacity={'VCPU': 64, 'MEMORY_MB': 1024,
                                            'DISK_GB': 1000})
         for i in range(2)], request={'MEMORY_MB': 1024})
    conf = fakes.make_conf(scheduler={'release_retry_limit': limit,
                                      'release_retry_interval': 3600})
    driver = filter_scheduler.FilterScheduler(conf=conf, placement=placement)
    placement.fail['release'] = exception.PlacementUnreachable('down')
    with pytest.raises(exception.NoValidHost):
        driver.select_destinations(None, fakes.make_spec(),
                                   ['i-0', 'i-1', 'i-2'])
    assert sorted(placement.claims) == ['i-0', 'i-1']
    return driver, placement


def test_a_failed_release_is_done_once_placement_answers():
    driver, placement = _failed_request()
    try:
        assert len(driver.deferred_releases) == 2
        assert driver.deferred_releases.run_once() == 2
        del placement.fail['release']
        assert driver.deferred_releases.run_once() == 0
        assert placement.claims == {}
    finally:
        driver.stop()


def test_a_newer_claim_of_the_same_consumer_is_left_alone():
    driver, placement = _failed_request()
    try:
        del placement.fail['release']
        # The caller retried i-0, and it was claimed on the other host.
        host, project, user, version = placement.claims['i-0']
        other = 'host-1' if host == 'host-0' else 'host-0'
        placement.claims['i-0'] = (other, project, user, version)
        assert driver.deferred_releases.run_once() == 0
        assert list(placement.claims) == ['i-0']
        assert placement.claims['i-0'][0] == other
    finally:
        driver.stop()


def test_a_release_is_given_up_after_the_limit(caplog):
    driver, placement = _failed_request(limit=2)
    try:
        assert driver.deferred_releases.run_once() == 2
        assert driver.deferred_releases.run_once() == 0
        assert 'Gave up releasing the claim of consumer i-0' in caplog.text
        assert sorted(placement.claims) == ['i-0', 'i-1']
    finally:
        driver.stop()


def test_the_thread_retries_and_stops():
    class Flaky:
        def __init__(self):
            self.calls = 0

        def release_if_unchanged(self, consumer, allocations):
            self.calls += 1
            if self.calls < 3:
                raise exception.PlacementTimeout('slow')
            return 'released'

    placement = Flaky()
    deferred = releases.DeferredReleases(placement, interval=0.01, limit=10)
    deferred.add('c-1', {'rp': {'resources': {'VCPU': 1}}})
    for _ in range(500):
        if not len(deferred):
            break
        deferred._stopped.wait(0.01)
    deferred.stop()
    assert placement.calls == 3
    assert len(deferred) == 0
