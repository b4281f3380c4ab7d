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

import csv
import dataclasses
import json
import statistics

import pytest

from scheduler.sim import workload


def _write(tmp_path, text, name='scenario.yaml'):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _scenario(tmp_path, stream, duration='10h', seed=1, extra=''):
    return workload.load_scenario(_write(tmp_path, '''
duration: %s
seed: %d
%sstreams:
  - %s
''' % (duration, seed, extra, stream)))


def _fields(events):
    return [dataclasses.asdict(e) for e in events]


def _error(excinfo):
    return str(excinfo.value)


# durations and rates

@pytest.mark.parametrize('value, seconds', [
    ('90s', 90.0), ('15m', 900.0), ('8h', 28800.0), ('2d', 172800.0),
    ('30', 30.0), (30, 30.0), (1.5, 1.5), ('0.5h', 1800.0), (' 2 m ', 120.0),
    (0, 0.0),
])
def test_duration_units(value, seconds):
    assert workload.duration(value, 'field') == seconds


@pytest.mark.parametrize('value', [
    '10x', 'h', '', 'abc', '-5s', -5, '1.2.3', '.', None, True,
    float('inf'), float('nan'),
])
def test_bad_duration_names_the_field(value):
    with pytest.raises(workload.WorkloadError) as excinfo:
        workload.duration(value, 'my_field')
    assert 'my_field' in _error(excinfo)


@pytest.mark.parametrize('value, per_second', [
    ('12/h', 12 / 3600), ('0.5/m', 0.5 / 60), ('3/s', 3.0),
    ('2/d', 2 / 86400), (36, 36 / 3600), ('36', 36 / 3600),
    (' 6 / h', 6 / 3600),
])
def test_rates(value, per_second):
    assert workload._rate_per_second(value, 'web') == pytest.approx(
        per_second)


@pytest.mark.parametrize('value', [
    '12/y', '12/hour', 'x/h', '/h', None, 0, '0/h', -3, '-1/m', 'nan/h',
    'inf', [1],
])
def test_bad_rates_raise(value):
    with pytest.raises(workload.WorkloadError) as excinfo:
        workload._rate_per_second(value, 'stream web')
    assert 'stream web' in _error(excinfo)


def test_bad_rate_in_a_scenario_names_the_stream(tmp_path):
    with pytest.raises(workload.WorkloadError) as excinfo:
        _scenario(tmp_path, '{name: web, rate: 5/week, flavors: m1}')
    assert 'web' in _error(excinfo) and '5/week' in _error(excinfo)


# determinism

TWO_FLAVORS = ('{name: web, rate: 20/h, flavors: {m1.small: 3, m1.large: 1},'
               ' lifetime: {distribution: exponential, mean: 2h},'
               ' count: {1: 3, 2: 1},'
               ' resize: {probability: 0.3, after: 30m, to: m1.large}}')


def test_same_seed_same_events(tmp_path):
    path = _write(tmp_path, '''
duration: 1d
seed: 7
streams:
  - %s
''' % TWO_FLAVORS)
    first = workload.load_scenario(path)
    second = workload.load_scenario(path)
    assert first.seed == 7
    assert len(first.events) > 100
    assert _fields(first.events) == _fields(second.events)


def test_different_seed_different_events(tmp_path):
    one = _scenario(tmp_path, TWO_FLAVORS, seed=1)
    two = _scenario(tmp_path, TWO_FLAVORS, seed=2)
    assert [e.t for e in one.events] != [e.t for e in two.events]
    assert _fields(one.events) != _fields(two.events)


def test_seed_override_wins_over_the_file(tmp_path):
    path = _write(tmp_path, '''
duration: 10h
seed: 1
streams:
  - %s
''' % TWO_FLAVORS)
    overridden = workload.load_scenario(path, seed=5)
    assert overridden.seed == 5
    (tmp_path / 'other').mkdir()
    five = _scenario(tmp_path / 'other', TWO_FLAVORS, seed=5)
    assert _fields(overridden.events) == _fields(five.events)
    assert _fields(overridden.events) != _fields(
        workload.load_scenario(path).events)
    # seed=0 is an override too, not "no override".
    assert workload.load_scenario(path, seed=0).seed == 0


def test_seed_defaults_to_zero(tmp_path):
    path = _write(tmp_path, 'duration: 1h\nstreams: [{rate: 10, flavors: a}]')
    assert workload.load_scenario(path).seed == 0


def test_a_second_stream_leaves_the_first_alone(tmp_path):
    one = _scenario(tmp_path, TWO_FLAVORS)
    two = _scenario(tmp_path, TWO_FLAVORS + '''
  - {name: batch, rate: 50/h, flavors: m1.xlarge, lifetime: 1h}''')

    def first_stream(events):
        return [dict(dataclasses.asdict(e), seq=None)
                for e in events if e.key.startswith('0-')]

    assert len(two.events) > len(one.events)
    assert any(e.key.startswith('1-') for e in two.events)
    assert first_stream(two.events) == first_stream(one.events)
    assert first_stream(one.events)


# ordering and arrivals

def test_events_ordered_with_seq_and_within_duration(tmp_path):
    result = _scenario(tmp_path, TWO_FLAVORS + '''
  - {name: batch, rate: 50/h, flavors: m1.xlarge}''')
    times = [e.t for e in result.events]
    assert times == sorted(times)
    assert [e.seq for e in result.events] == list(range(len(times)))
    assert result.duration == 36000.0
    assert all(0 <= t < result.duration for t in times)
    assert all(e.op == workload.CREATE for e in result.events)
    # Keys are unique, one per create.
    assert len({e.key for e in result.events}) == len(times)


def test_arrival_count_matches_rate(tmp_path):
    result = _scenario(tmp_path, '{rate: 100/h, flavors: m1}', seed=3)
    assert 850 <= len(result.events) <= 1150


def test_arrival_count_bare_rate_is_per_hour(tmp_path):
    result = _scenario(tmp_path, '{rate: 100, flavors: m1}', seed=3)
    assert 850 <= len(result.events) <= 1150


def test_sample_every_and_name(tmp_path):
    result = _scenario(tmp_path, '{rate: 1/h, flavors: m1}',
                       extra='sample_every: 30m\nname: busy\n')
    assert result.sample_every == 1800.0
    assert result.name == 'busy'
    default = _scenario(tmp_path, '{rate: 1/h, flavors: m1}')
    assert default.sample_every == 360.0
    assert default.name == 'scenario.yaml'


@pytest.mark.parametrize('extra', ['sample_every: 0\n', 'sample_every: x\n'])
def test_bad_sample_every_raises(tmp_path, extra):
    with pytest.raises(workload.WorkloadError) as excinfo:
        _scenario(tmp_path, '{rate: 1/h, flavors: m1}', extra=extra)
    assert 'sample_every' in _error(excinfo)


def test_zero_duration_raises(tmp_path):
    with pytest.raises(workload.WorkloadError) as excinfo:
        _scenario(tmp_path, '{rate: 1/h, flavors: m1}', duration=0)
    assert 'duration' in _error(excinfo)


# mixes, groups, lifetimes, resizes

def test_flavor_mix_weights(tmp_path):
    result = _scenario(tmp_path,
                       '{rate: 200/h, flavors: {m1.small: 3, m1.large: 1}}')
    flavors = [e.flavor for e in result.events]
    assert len(flavors) > 1600
    share = flavors.count('m1.small') / len(flavors)
    assert 0.65 <= share <= 0.85
    assert set(flavors) == {'m1.small', 'm1.large'}


def test_single_flavor_name(tmp_path):
    result = _scenario(tmp_path, '{rate: 10/h, flavors: m1.tiny}')
    assert {e.flavor for e in result.events} == {'m1.tiny'}
    assert {e.count for e in result.events} == {1}


def test_count_weights(tmp_path):
    result = _scenario(tmp_path, '{rate: 200/h, flavors: m1, '
                       'count: {1: 1, 3: 3}}')
    counts = [e.count for e in result.events]
    assert set(counts) == {1, 3}
    assert 0.65 <= counts.count(3) / len(counts) <= 0.85
    assert all(isinstance(c, int) for c in counts)


@pytest.mark.parametrize('stream, words', [
    ('{rate: 1, flavors: m1, count: 0}', ['count']),
    ('{rate: 1, flavors: m1, count: {2: 1, 0: 1}}', ['count']),
    ('{rate: 1, flavors: m1, count: many}', ['count']),
    ('{rate: 1, flavors: m1, count: {x: 1}}', ['count']),
    ('{rate: 1, flavors: {a: -1, b: 2}}', ['flavors']),
    ('{rate: 1, flavors: {a: 0}}', ['flavors']),
    ('{rate: 1, flavors: {a: lots}}', ['flavors']),
    ('{rate: 1, flavors: {}}', ['flavors']),
    ('{rate: 1}', ['flavors']),
    ('{rate: 1, flavors: [a, b]}', ['flavors']),
])
def test_bad_mixes_raise(tmp_path, stream, words):
    with pytest.raises(workload.WorkloadError) as excinfo:
        _scenario(tmp_path, stream)
    for word in words:
        assert word in _error(excinfo)


@pytest.mark.parametrize('policy', workload.GROUP_POLICIES)
def test_group_policies(tmp_path, policy):
    result = _scenario(tmp_path, '{rate: 5/h, flavors: m1, group: %s, '
                       'availability_zone: az1, hints: {k: v}}' % policy)
    assert result.events
    assert {e.group for e in result.events} == {policy}
    assert {e.availability_zone for e in result.events} == {'az1'}
    assert all(e.hints == {'k': 'v'} for e in result.events)
    # Each event has its own hints dict.
    assert result.events[0].hints is not result.events[1].hints


def test_no_group_is_none(tmp_path):
    result = _scenario(tmp_path, '{rate: 5/h, flavors: m1}')
    assert {e.group for e in result.events} == {None}
    assert {e.availability_zone for e in result.events} == {None}


def test_bad_group_policy_names_it(tmp_path):
    with pytest.raises(workload.WorkloadError) as excinfo:
        _scenario(tmp_path, '{name: web, rate: 5/h, flavors: m1, '
                  'group: anti_affinity}')
    assert 'anti_affinity' in _error(excinfo)
    assert 'web' in _error(excinfo)


def _lifetimes(tmp_path, lifetime, rate='400/h'):
    result = _scenario(tmp_path, '{rate: %s, flavors: m1, lifetime: %s}'
                       % (rate, lifetime))
    assert len(result.events) > 100
    return [e.lifetime for e in result.events]


@pytest.mark.parametrize('lifetime', ['3h', '{distribution: fixed, '
                                      'value: 3h}', '{value: 180m}', 10800])
def test_fixed_lifetime(tmp_path, lifetime):
    assert set(_lifetimes(tmp_path, lifetime)) == {10800.0}


def test_exponential_lifetime_mean(tmp_path):
    lifetimes = _lifetimes(tmp_path,
                           '{distribution: exponential, mean: 2h}')
    assert statistics.mean(lifetimes) == pytest.approx(7200, rel=0.15)
    assert len(set(lifetimes)) == len(lifetimes)
    assert min(lifetimes) >= 0


def test_lognormal_lifetime_median(tmp_path):
    lifetimes = _lifetimes(tmp_path,
                           '{distribution: lognormal, median: 1h, '
                           'sigma: 0.5}')
    assert statistics.median(lifetimes) == pytest.approx(3600, rel=0.15)
    assert min(lifetimes) > 0
    assert len(set(lifetimes)) == len(lifetimes)


def test_uniform_lifetime_within_bounds(tmp_path):
    lifetimes = _lifetimes(tmp_path,
                           '{distribution: uniform, min: 1h, max: 2h}')
    assert all(3600 <= x <= 7200 for x in lifetimes)
    assert min(lifetimes) < 4000 and max(lifetimes) > 6800


@pytest.mark.parametrize('stream', [
    '{rate: 5/h, flavors: m1}',
    '{rate: 5/h, flavors: m1, lifetime: forever}',
    '{rate: 5/h, flavors: m1, lifetime: null}',
])
def test_forever_lifetime(tmp_path, stream):
    result = _scenario(tmp_path, stream)
    assert result.events
    assert {e.lifetime for e in result.events} == {None}


@pytest.mark.parametrize('lifetime, words', [
    ('{distribution: weibull, mean: 1h}', ['weibull']),
    ('{distribution: exponential}', ['exponential', 'mean']),
    ('{distribution: lognormal, median: 1h}', ['lognormal', 'sigma']),
    ('{distribution: lognormal, median: 1h, sigma: wide}', ['web']),
    ('{distribution: lognormal, median: 0, sigma: 1}', ['web']),
    ('{distribution: uniform, min: 1h}', ['uniform', 'max']),
    ('{distribution: fixed}', ['fixed', 'value']),
    ('{distribution: exponential, mean: soon}', ['soon']),
    ('a while', ['a while']),
])
def test_bad_lifetimes_raise(tmp_path, lifetime, words):
    with pytest.raises(workload.WorkloadError) as excinfo:
        _scenario(tmp_path, '{name: web, rate: 5/h, flavors: m1, '
                  'lifetime: %s}' % lifetime)
    for word in words:
        assert word in _error(excinfo)


def test_resize_probability_after_and_to(tmp_path):
    result = _scenario(tmp_path, '{rate: 400/h, flavors: m1.small, '
                       'resize: {probability: 0.25, after: 30m, '
                       'to: m1.large}}')
    resized = [e for e in result.events if e.resize_to]
    assert 0.15 <= len(resized) / len(result.events) <= 0.35
    assert {e.resize_to for e in resized} == {'m1.large'}
    assert {e.resize_after for e in resized} == {1800.0}
    kept = [e for e in result.events if not e.resize_to]
    assert {e.resize_after for e in kept} == {None}
    assert result.flavors == ['m1.large', 'm1.small']


def test_resize_after_distribution(tmp_path):
    result = _scenario(tmp_path, '{rate: 100/h, flavors: m1.small, '
                       'resize: {probability: 1, to: m1.large, '
                       'after: {distribution: uniform, min: 1m, max: 5m}}}')
    assert all(e.resize_to == 'm1.large' for e in result.events)
    assert all(60 <= e.resize_after <= 300 for e in result.events)


def test_no_resize_by_default(tmp_path):
    result = _scenario(tmp_path, '{rate: 100/h, flavors: m1}')
    assert {(e.resize_to, e.resize_after) for e in result.events} == {
        (None, None)}
    assert result.flavors == ['m1']


def test_resize_without_to_raises(tmp_path):
    with pytest.raises(workload.WorkloadError) as excinfo:
        _scenario(tmp_path, '{name: web, rate: 5/h, flavors: m1, '
                  'resize: {probability: 0.5, after: 1h}}')
    assert 'to' in _error(excinfo) and 'web' in _error(excinfo)


# malformed scenarios

@pytest.mark.parametrize('text', [
    '- just\n- a list\n',
    'a string',
    '',
    'duration: 1d\n',
    'duration: 1d\nstreams: []\n',
    'streams: {rate: 5}\n',
    'streams: [[1, 2]]\n',
    'streams: ["web"]\n',
    'streams: [\n',
])
def test_malformed_scenarios_name_the_path(tmp_path, text):
    path = _write(tmp_path, text)
    with pytest.raises(workload.WorkloadError) as excinfo:
        workload.load_scenario(path)
    assert path in _error(excinfo)


def test_stream_not_a_mapping_names_its_index(tmp_path):
    path = _write(tmp_path, 'streams:\n  - {rate: 1, flavors: a}\n  - web\n')
    with pytest.raises(workload.WorkloadError) as excinfo:
        workload.load_scenario(path)
    assert '#1' in _error(excinfo)


def test_missing_scenario_names_the_path(tmp_path):
    path = str(tmp_path / 'nowhere.yaml')
    with pytest.raises(workload.WorkloadError) as excinfo:
        workload.load_scenario(path)
    assert path in _error(excinfo)
    with pytest.raises(workload.WorkloadError):
        workload.load(path)


# traces

TRACE = [
    {'time': '1h', 'op': 'delete', 'id': 'web-1'},
    {'time': '10', 'op': 'create', 'id': 'web-1', 'flavor': 'm1.small',
     'count': '2', 'group': 'anti-affinity',
     'hints': {'same_host': 'x', 'n': [1, 2]}},
    {'time': '30m', 'op': 'resize', 'id': 'web-1', 'flavor': 'm1.large'},
]
HEADER = ['time', 'op', 'id', 'flavor', 'count', 'group', 'hints']


def _csv(tmp_path, rows, name='trace.csv', header=HEADER):
    path = tmp_path / name
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for row in rows:
            if isinstance(row, str):
                f.write(row + '\r\n')
                continue
            writer.writerow([json.dumps(row[k]) if k == 'hints' and k in row
                             else row.get(k, '') for k in header])
    return str(path)


def _jsonl(tmp_path, rows, name='trace.jsonl'):
    path = tmp_path / name
    path.write_text(''.join(row + '\n' if isinstance(row, str)
                            else json.dumps(row) + '\n' for row in rows))
    return str(path)


def _check_trace(result, name):
    assert result.name == name
    assert [e.op for e in result.events] == ['create', 'resize', 'delete']
    assert [e.t for e in result.events] == [10.0, 1800.0, 3600.0]
    assert [e.seq for e in result.events] == [0, 1, 2]
    assert {e.key for e in result.events} == {'web-1'}
    create, resize, delete = result.events
    assert create.flavor == 'm1.small'
    assert create.count == 2
    assert create.group == 'anti-affinity'
    assert create.hints == {'same_host': 'x', 'n': [1, 2]}
    assert create.resize_to is None and create.lifetime is None
    assert resize.flavor == resize.resize_to == 'm1.large'
    assert resize.hints == {} and resize.count == 1
    assert delete.flavor is None and delete.resize_to is None
    assert result.duration == 3600.0
    assert result.sample_every == 36.0
    assert result.seed == 0
    assert result.flavors == ['m1.large', 'm1.small']


def test_csv_trace(tmp_path):
    _check_trace(workload.load_trace(_csv(tmp_path, TRACE)), 'trace.csv')


def test_jsonl_trace(tmp_path):
    rows = [dict(r, count=int(r['count'])) if 'count' in r else r
            for r in TRACE]
    _check_trace(workload.load_trace(_jsonl(tmp_path, [rows[0], '', rows[1],
                                                       rows[2]])),
                 'trace.jsonl')


def test_csv_and_jsonl_give_the_same_events(tmp_path):
    from_csv = workload.load_trace(_csv(tmp_path, TRACE))
    from_jsonl = workload.load_trace(_jsonl(tmp_path, TRACE))
    assert _fields(from_csv.events) == _fields(from_jsonl.events)


def test_trace_keeps_file_order_at_equal_times(tmp_path):
    rows = [{'time': 5, 'op': 'create', 'id': str(n), 'flavor': 'f'}
            for n in range(20)]
    result = workload.load_trace(_jsonl(tmp_path, rows))
    assert [e.key for e in result.events] == [str(n) for n in range(20)]


def test_trace_sample_every(tmp_path):
    path = _jsonl(tmp_path, [{'time': 20, 'op': 'create', 'id': 'a',
                              'flavor': 'f'}])
    assert workload.load_trace(path).sample_every == 1.0
    assert workload.load_trace(path, sample_every=5).sample_every == 5


def test_trace_availability_zone(tmp_path):
    path = _csv(tmp_path, [{'time': 1, 'op': 'create', 'id': 'a',
                            'flavor': 'f', 'availability_zone': 'az2'}],
                header=HEADER + ['availability_zone'])
    assert workload.load_trace(path).events[0].availability_zone == 'az2'


BAD_ROWS = [
    ({'time': 1, 'op': 'boot', 'id': 'a', 'flavor': 'f'}, 'boot'),
    ({'time': 1, 'id': 'a', 'flavor': 'f'}, 'op'),
    ({'time': 1, 'op': 'create', 'flavor': 'f'}, 'id'),
    ({'time': 1, 'op': 'create', 'id': 'a'}, 'flavor'),
    ({'time': 1, 'op': 'resize', 'id': 'a'}, 'flavor'),
    ({'time': 1, 'op': 'create', 'id': 'a', 'flavor': 'f', 'count': 'two'},
     'two'),
    ({'time': 1, 'op': 'create', 'id': 'a', 'flavor': 'f',
      'group': 'together'}, 'together'),
    ({'time': 'soon', 'op': 'create', 'id': 'a', 'flavor': 'f'}, 'soon'),
]


@pytest.mark.parametrize('row, word', BAD_ROWS)
def test_bad_csv_rows_name_file_and_line(tmp_path, row, word):
    good = {'time': 0, 'op': 'create', 'id': 'ok', 'flavor': 'f'}
    # A blank line before the bad row: the line number is the file's.
    path = _csv(tmp_path, [good, '', row])
    with pytest.raises(workload.WorkloadError) as excinfo:
        workload.load_trace(path)
    assert '%s:4' % path in _error(excinfo)
    assert word in _error(excinfo)


@pytest.mark.parametrize('row, word', BAD_ROWS + [
    ({'time': 1, 'op': 'create', 'id': 'a', 'flavor': 'f', 'count': None},
     'None'),
    ({'time': 1, 'op': 'create', 'id': 'a', 'flavor': 'f', 'count': '3x'},
     '3x'),
])
def test_bad_jsonl_rows_name_file_and_line(tmp_path, row, word):
    good = {'time': 0, 'op': 'create', 'id': 'ok', 'flavor': 'f'}
    path = _jsonl(tmp_path, [good, '', row])
    with pytest.raises(workload.WorkloadError) as excinfo:
        workload.load_trace(path)
    assert '%s:3' % path in _error(excinfo)
    assert word in _error(excinfo)


@pytest.mark.parametrize('text', ['{"op": ', '[1, 2]'])
def test_unreadable_jsonl_names_the_file(tmp_path, text):
    path = _jsonl(tmp_path, [text])
    with pytest.raises(workload.WorkloadError) as excinfo:
        workload.load_trace(path)
    assert path in _error(excinfo)


def test_bad_hints_json_names_the_file(tmp_path):
    path = tmp_path / 'trace.csv'
    path.write_text('time,op,id,flavor,hints\n1,create,a,f,{nope\n')
    with pytest.raises(workload.WorkloadError) as excinfo:
        workload.load_trace(str(path))
    assert str(path) in _error(excinfo)


@pytest.mark.parametrize('name, text', [
    ('empty.csv', ''), ('header.csv', ','.join(HEADER) + '\n'),
    ('empty.jsonl', ''), ('blank.jsonl', '\n  \n'),
])
def test_empty_trace_raises(tmp_path, name, text):
    path = _write(tmp_path, text, name=name)
    with pytest.raises(workload.WorkloadError) as excinfo:
        workload.load_trace(path)
    assert path in _error(excinfo)


def test_missing_trace_names_the_path(tmp_path):
    path = str(tmp_path / 'gone.csv')
    with pytest.raises(workload.WorkloadError) as excinfo:
        workload.load_trace(path)
    assert path in _error(excinfo)


# load() and flavors

def test_load_dispatches_on_extension(tmp_path):
    scenario = 'duration: 2h\nseed: 4\nstreams: [{rate: 30, flavors: a}]\n'
    for name in ('s.yaml', 's.yml'):
        result = workload.load(_write(tmp_path, scenario, name=name), 9)
        assert result.seed == 9 and result.duration == 7200.0
        assert result.events
        assert {e.op for e in result.events} == {'create'}
    csv_result = workload.load(_csv(tmp_path, TRACE))
    jsonl_result = workload.load(_jsonl(tmp_path, TRACE))
    json_result = workload.load(_jsonl(tmp_path, TRACE, name='t.json'))
    for result in (csv_result, jsonl_result, json_result):
        assert [e.op for e in result.events] == [
            'create', 'resize', 'delete']


def test_workload_flavors_lists_create_and_resize_flavors():
    events = [
        workload.Event(t=0, seq=0, op='create', key='a', flavor='m1.b',
                       resize_to='m1.z'),
        workload.Event(t=1, seq=1, op='resize', key='a', flavor='m1.c',
                       resize_to='m1.c'),
        workload.Event(t=2, seq=2, op='delete', key='a'),
        workload.Event(t=3, seq=3, op='create', key='b', flavor='m1.b'),
    ]
    result = workload.Workload(name='w', seed=0, duration=3,
                               sample_every=1, events=events)
    assert result.flavors == ['m1.b', 'm1.c', 'm1.z']
