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

"""The recorder: what one request leaves in each metric family."""

import types

import prometheus_client
import pytest

from scheduler.cycle import request as cycle_request
from scheduler import exception
from scheduler.filters import handler as filter_handler
from scheduler.host_facts import base as facts_base
from scheduler.observe import batch
from scheduler.observe import metrics
from scheduler.observe import publisher
from tests.fixtures import conf as conf_fixture
from tests.unit.host_state import fakes

PLACED_STEPS = ('query', 'candidates', 'host states', 'filter', 'weigh',
                'rank', 'claim', 'select')


def _request(steps=PLACED_STEPS, offered=3, limit=1000, step=None):
    request = cycle_request.Request(fakes.make_spec(), ['i-1'])
    for name in steps:
        request.timings[name] = 0.002
    request.query = types.SimpleNamespace(limit=limit)
    if offered:
        request.candidates = types.SimpleNamespace(
            allocation_requests=[{}] * offered)
    request.step = step or steps[-1]
    return request


@pytest.fixture
def recorded():
    registry = prometheus_client.CollectorRegistry()
    recorder = metrics.PrometheusRecorder(registry)

    def value(name, **labels):
        return registry.get_sample_value(name, labels) or 0
    return recorder, value


def _placed(value):
    return value('scheduler_request_duration_seconds_count', result='placed')


def test_placed_request_counts_its_duration_steps_and_candidates(recorded):
    recorder, value = recorded

    recorder.request_done(_request(), 0.02)
    recorder.flush()

    assert _placed(value) == 1
    assert value('scheduler_request_duration_seconds_sum',
                 result='placed') == pytest.approx(0.02)
    for step in PLACED_STEPS:
        assert value('scheduler_step_duration_seconds_count',
                     step=step.replace(' ', '_')) == 1
    assert value('scheduler_allocation_candidates_sum') == 3
    assert value('scheduler_allocation_candidates_truncated_total') == 0
    assert value('scheduler_no_valid_host_total', stage='filter',
                 filter='') == 0


def test_nothing_is_written_until_the_flush(recorded):
    recorder, value = recorded

    recorder.request_done(_request(), 0.02)
    recorder.claim_conflict()

    assert _placed(value) == 0
    recorder.flush()
    assert _placed(value) == 1
    assert value('scheduler_claim_conflicts_total') == 1


def test_answer_of_max_placement_results_counts_as_truncated(recorded):
    recorder, value = recorded

    recorder.request_done(_request(offered=5, limit=5), 0.02)
    recorder.request_done(_request(offered=4, limit=5), 0.02)
    recorder.flush()

    assert value('scheduler_allocation_candidates_truncated_total') == 1
    assert value('scheduler_allocation_candidates_count') == 2


def test_refusal_by_a_filter_names_the_filter_that_emptied_the_list(
        recorded):
    recorder, value = recorded
    request = _request(steps=PLACED_STEPS[:4])
    request.trace = filter_handler.FilterTrace(3)
    request.trace.record('ComputeCapabilitiesFilter', 3, 1)
    request.trace.record('ImagePropertiesFilter', 1, 0)

    recorder.request_done(request, 0.01, exception.NoValidHost('no'))
    recorder.flush()

    assert value('scheduler_request_duration_seconds_count',
                 result='no_valid_host') == 1
    assert value('scheduler_no_valid_host_total', stage='filter',
                 filter='ImagePropertiesFilter') == 1
    assert value('scheduler_step_duration_seconds_count',
                 step='weigh') == 0


@pytest.mark.parametrize('step,stage', [
    (None, 'request_invalid'), ('query', 'request_invalid'),
    ('diagnosis', 'placement_empty'), ('host states', 'host_states'),
    ('claim', 'claim')])
def test_refusal_is_counted_at_the_stage_of_its_step(step, stage):
    request = _request(step=step)
    request.step = step

    assert metrics.stage_of(request) == (stage, '')


def test_rebuild_check_of_an_unknown_node_is_an_invalid_request():
    request = _request(step='candidates')
    request.query = None

    assert metrics.stage_of(request) == ('request_invalid', '')


def test_empty_placement_answer_is_observed_as_zero_candidates(recorded):
    recorder, value = recorded
    request = _request(steps=('query', 'candidates', 'diagnosis'),
                       offered=0)

    recorder.request_done(request, 0.01, exception.NoValidHost('none'))
    recorder.flush()

    assert value('scheduler_no_valid_host_total', stage='placement_empty',
                 filter='') == 1
    assert value('scheduler_allocation_candidates_bucket', le='0.0') == 1


def test_placement_failure_is_an_error_counted_by_kind(recorded):
    recorder, value = recorded
    request = _request(steps=('query', 'candidates'), offered=0)

    recorder.request_done(request, 0.3,
                          exception.PlacementTimeout('no answer'))
    recorder.flush()

    assert value('scheduler_request_duration_seconds_count',
                 result='error') == 1
    assert value('scheduler_placement_errors_total', kind='timed_out') == 1
    assert value('scheduler_no_valid_host_total', stage='placement_empty',
                 filter='') == 0


def test_claim_conflicts_and_retries_are_counted(recorded):
    recorder, value = recorded

    recorder.claim_conflict()
    recorder.claim_conflict()
    recorder.claim_retried()
    recorder.flush()

    assert value('scheduler_claim_conflicts_total') == 2
    assert value('scheduler_claim_retries_total') == 1


def test_host_facts_health_is_one_state_per_source(recorded):
    recorder, value = recorded
    health = [facts_base.Health('rpc', facts_base.OK, 3.0, 0),
              facts_base.Health('nova_db', facts_base.STALE, 90.0, 4),
              facts_base.Health('file', facts_base.FAILED, None, 1)]

    recorder.publish_health(health, 2)

    assert value('scheduler_host_facts_age_seconds', source='nova_db') == 90
    assert value('scheduler_host_facts_state', source='nova_db',
                 state='stale') == 1
    assert value('scheduler_host_facts_state', source='nova_db',
                 state='ok') == 0
    assert value('scheduler_host_facts_state', source='file',
                 state='failed') == 1
    # Never loaded: no age rather than a made-up one.
    assert value('scheduler_host_facts_age_seconds', source='file') == 0
    assert value('scheduler_deferred_releases_pending') == 2


def test_publisher_flushes_and_publishes_gauges_when_due(recorded):
    recorder, value = recorded
    now = [100.0]
    releases = [object()]
    manager = types.SimpleNamespace(
        host_facts=types.SimpleNamespace(health=lambda: []),
        driver=types.SimpleNamespace(deferred_releases=releases))
    pub = publisher.Publisher(recorder, manager, 10, clock=lambda: now[0])
    pub.publish()
    releases.append(object())
    recorder.request_done(_request(), 0.01)

    pub.run_once()
    assert _placed(value) == 1
    assert value('scheduler_deferred_releases_pending') == 1
    now[0] += 10
    pub.run_once()
    assert value('scheduler_deferred_releases_pending') == 2


def test_batched_histogram_equals_one_observation_at_a_time():
    registry = prometheus_client.CollectorRegistry()
    bounds = (0.1, 1.0, 10.0)
    one_by_one = prometheus_client.Histogram('one', 'x', buckets=bounds,
                                             registry=registry)
    batched = prometheus_client.Histogram('batched', 'x', buckets=bounds,
                                          registry=registry)
    observed = [0.0, 0.1, 0.10001, 1.0, 5.0, 10.0, 11.0, 1e9]

    for v in observed:
        one_by_one.observe(v)
    batch.observe_all(batched, observed)

    for le in ('0.1', '1.0', '10.0', '+Inf'):
        assert (registry.get_sample_value('batched_bucket', {'le': le}) ==
                registry.get_sample_value('one_bucket', {'le': le}))
    assert (registry.get_sample_value('batched_sum') ==
            registry.get_sample_value('one_sum'))


def test_metrics_are_off_unless_the_exporter_set_up_this_process(
        monkeypatch):
    off = conf_fixture.make_conf()
    on = conf_fixture.make_conf(
        metrics_exporter={'listen': '127.0.0.1:9180'})

    assert metrics.recorder_for(off) is metrics.NULL
    # scheduler-sim and other tools read the same file: no exporter.
    assert metrics.recorder_for(on) is metrics.NULL
    monkeypatch.setenv(metrics.MULTIPROC_DIR_ENV, '/nonexistent')
    assert isinstance(metrics.recorder_for(on), metrics.PrometheusRecorder)
    assert metrics.recorder_for(off) is metrics.NULL


def test_no_publisher_runs_while_metrics_are_off():
    manager = types.SimpleNamespace(
        driver=types.SimpleNamespace(recorder=metrics.NULL))

    assert publisher.start(conf_fixture.make_conf(), manager) is None


class ListRecorder(metrics.Recorder):
    """What the driver tells a recorder, in order."""

    enabled = True

    def __init__(self):
        self.done = []

    def request_done(self, request, seconds, error=None):
        self.done.append((request.step, seconds, error))


def _driver(placement):
    from scheduler.drivers import filter_scheduler
    driver = filter_scheduler.FilterScheduler(
        conf=fakes.make_conf(scheduler={'max_instances_per_request': 1}),
        placement=placement)
    driver.recorder = ListRecorder()
    return driver


def _hosts(*free_mb):
    return [dict(name='host-%d' % i,
                 capacity={'VCPU': 64, 'MEMORY_MB': mb, 'DISK_GB': 1000})
            for i, mb in enumerate(free_mb)]


def test_driver_reports_a_placement_failure_not_its_no_valid_host():
    from tests.unit.drivers import fake_placement
    placement = fake_placement.FakePlacement(_hosts(4096))
    failure = exception.PlacementUnreachable('down')
    placement.fail['candidates'] = failure
    driver = _driver(placement)

    with pytest.raises(exception.NoValidHost):
        driver.select_destinations(None, fakes.make_spec(), ['i-1'])

    [(step, seconds, error)] = driver.recorder.done
    assert error is failure and step == 'candidates' and seconds > 0


def test_driver_reports_each_request_once_placed_or_refused():
    from tests.unit.drivers import fake_placement
    placement = fake_placement.FakePlacement(_hosts(4096))
    driver = _driver(placement)

    driver.select_destinations(None, fakes.make_spec(), ['i-1'])
    with pytest.raises(exception.NoValidHost) as refused:
        driver.select_destinations(None, fakes.make_spec(), ['i-2', 'i-3'])

    assert [(step, error) for step, _s, error in driver.recorder.done] == [
        ('select', None), (None, refused.value)]


def test_a_request_the_recorder_cannot_read_is_not_failed(recorded):
    recorder, value = recorded

    recorder.request_done(object(), 0.01)
    recorder.flush()

    assert _placed(value) == 0
