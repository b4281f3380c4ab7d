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

"""A workload over simulated time: a scenario file, or a recorded trace.

A scenario (YAML) describes streams of create requests::

    duration: 2d              # simulated time (s, m, h or d)
    sample_every: 30m         # how often the cloud is measured
    seed: 1
    streams:
      - name: web
        rate: 40/h            # arrivals, a Poisson process
        flavors: {m1.small: 3, m1.large: 1}     # the mix, by weight
        lifetime: {distribution: exponential, mean: 8h}
        count: {1: 8, 3: 2}   # instances per request (multi-create)
        group: anti-affinity  # a new server group per request
        availability_zone: az1
        hints: {some_hint: value}
        resize: {probability: 0.1, after: 2h, to: m1.large}

Lifetimes are ``forever``, ``{distribution: fixed, value}``,
``exponential (mean)``, ``lognormal (median, sigma)`` or
``uniform (min, max)``. A trace is CSV or JSON lines of ``time, op, id,
flavor, count, group, hints, availability_zone`` (``op``: create, delete
or resize; ``id`` names a create for the later delete or resize of all
its instances). Both become the same ``Event`` list, the same for a seed.
"""

import csv
import dataclasses
import json
import math
import os
import random
import re

import yaml

CREATE = 'create'
DELETE = 'delete'
RESIZE = 'resize'
OPS = (CREATE, DELETE, RESIZE)
GROUP_POLICIES = ('affinity', 'anti-affinity', 'soft-affinity',
                  'soft-anti-affinity')
_UNITS = {'s': 1, 'm': 60, 'h': 3600, 'd': 86400}
_DURATION = re.compile(
    r'^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*([smhd]?)\s*$')


class WorkloadError(Exception):
    pass


@dataclasses.dataclass(order=True)
class Event:
    """One thing that happens at simulated time ``t``.

    ``key`` names a create; its delete and resize carry the same key.
    ``lifetime`` (seconds, None: forever) is how long a placed create
    lives; ``resize_after`` when (after placement) it is resized to
    ``resize_to``.
    """

    t: float
    seq: int
    op: str = dataclasses.field(compare=False)
    key: str = dataclasses.field(compare=False)
    flavor: str | None = dataclasses.field(default=None, compare=False)
    count: int = dataclasses.field(default=1, compare=False)
    group: str | None = dataclasses.field(default=None, compare=False)
    availability_zone: str | None = dataclasses.field(default=None,
                                                      compare=False)
    hints: dict = dataclasses.field(default_factory=dict, compare=False)
    lifetime: float | None = dataclasses.field(default=None, compare=False)
    resize_after: float | None = dataclasses.field(default=None,
                                                   compare=False)
    resize_to: str | None = dataclasses.field(default=None, compare=False)


@dataclasses.dataclass
class Workload:
    name: str
    seed: int
    duration: float
    sample_every: float
    events: list

    @property
    def flavors(self):
        names = set()
        for event in self.events:
            names.update(n for n in (event.flavor, event.resize_to) if n)
        return sorted(names)


def duration(value, what):
    """Seconds of ``30``, ``'90s'``, ``'15m'``, ``'8h'`` or ``'2d'``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise WorkloadError('%s: %r is not a duration (e.g. 90s, 15m, '
                                '8h, 2d)' % (what, value))
        seconds = float(match.group(1)) * _UNITS[match.group(2) or 's']
    if seconds < 0 or math.isinf(seconds) or math.isnan(seconds):
        raise WorkloadError('%s: %r is not a duration' % (what, value))
    return seconds


def _rate_per_second(value, what):
    """Arrivals per second of ``12/h``, ``0.5/m`` or a number per hour."""
    if isinstance(value, str) and '/' in value:
        amount, _, unit = value.partition('/')
        if unit.strip() not in _UNITS:
            raise WorkloadError('%s: rate %r: unit must be s, m, h or d'
                                % (what, value))
        per = _UNITS[unit.strip()]
    else:
        amount, per = value, 3600
    try:
        rate = float(amount) / per
    except (TypeError, ValueError):
        raise WorkloadError('%s: rate %r is not a number per s, m, h or d'
                            % (what, value))
    if not 0 < rate < math.inf:
        raise WorkloadError('%s: rate must be positive' % what)
    return rate


def _weights(value, what, cast=str):
    if not isinstance(value, (str, int, dict)) or value in ('', {}):
        raise WorkloadError('%s: give a name or a {choice: weight} map'
                            % what)
    try:
        if not isinstance(value, dict):
            return [cast(value)], [1.0]
        choices = [cast(k) for k in value]
        weights = [float(w) for w in value.values()]
    except (TypeError, ValueError) as e:
        raise WorkloadError('%s: %s' % (what, e))
    if any(w < 0 for w in weights) or not sum(weights):
        raise WorkloadError('%s: weights must be positive' % what)
    return choices, weights


def _lifetime_sampler(spec, what):
    """A function of a ``random.Random`` giving a lifetime (None: forever)."""
    if spec in (None, 'forever'):
        return lambda rng: None
    if not isinstance(spec, dict):
        return _fixed(duration(spec, what))
    kind = spec.get('distribution', 'fixed')
    try:
        if kind == 'fixed':
            return _fixed(duration(spec['value'], what))
        if kind == 'exponential':
            mean = duration(spec['mean'], what)
            return lambda rng: rng.expovariate(1.0 / mean) if mean else 0.0
        if kind == 'lognormal':
            mu = math.log(duration(spec['median'], what))
            sigma = float(spec['sigma'])
            return lambda rng: rng.lognormvariate(mu, sigma)
        if kind == 'uniform':
            low = duration(spec['min'], what)
            high = duration(spec['max'], what)
            return lambda rng: rng.uniform(low, high)
    except KeyError as e:
        raise WorkloadError('%s: a %s lifetime needs %s' % (what, kind, e))
    except ValueError as e:
        raise WorkloadError('%s: %s' % (what, e))
    raise WorkloadError('%s: unknown lifetime distribution %r (fixed, '
                        'exponential, lognormal, uniform)' % (what, kind))


def _fixed(seconds):
    return lambda rng: seconds


def _group_policy(value, what):
    if value is None:
        return None
    if value not in GROUP_POLICIES:
        raise WorkloadError('%s: group %r is not one of %s'
                            % (what, value, ', '.join(GROUP_POLICIES)))
    return value


def _stream_events(stream, index, seed, until):
    what = 'stream %s' % stream.get('name', '#%d' % index)
    rate = _rate_per_second(stream.get('rate'), what)
    flavors, flavor_weights = _weights(stream.get('flavors'),
                                       '%s: flavors' % what)
    counts, count_weights = _weights(stream.get('count', 1),
                                     '%s: count' % what, cast=int)
    if any(c < 1 for c in counts):
        raise WorkloadError('%s: count must be >= 1' % what)
    lifetime = _lifetime_sampler(stream.get('lifetime'), what)
    group = _group_policy(stream.get('group'), what)
    resize = stream.get('resize') or {}
    resize_p = float(resize.get('probability', 0))
    resize_after = _lifetime_sampler(resize.get('after', 0), what)
    resize_to = resize.get('to')
    if resize_p and not resize_to:
        raise WorkloadError('%s: resize needs a "to" flavor' % what)
    # One generator per stream: adding a stream leaves the others' alone.
    # A simulation's reproducible draws, not a secret: B311 does not apply.
    rng = random.Random('%s/%d' % (seed, index))  # nosec B311
    t, n, events = 0.0, 0, []
    while True:
        t += rng.expovariate(rate)
        if t >= until:
            return events
        n += 1
        resized = rng.random() < resize_p
        events.append(Event(
            t=t, seq=0, op=CREATE, key='%s-%d' % (index, n),
            flavor=rng.choices(flavors, flavor_weights)[0],
            count=rng.choices(counts, count_weights)[0], group=group,
            availability_zone=stream.get('availability_zone'),
            hints=dict(stream.get('hints') or {}), lifetime=lifetime(rng),
            resize_after=resize_after(rng) if resized else None,
            resize_to=resize_to if resized else None))


def _ordered(events):
    events.sort(key=lambda e: e.t)
    for seq, event in enumerate(events):
        event.seq = seq
    return events


def load_scenario(path, seed=None):
    """The ``Workload`` of scenario file ``path`` (``seed`` overrides)."""
    try:
        with open(path) as f:
            data = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        raise WorkloadError('cannot read scenario %s: %s' % (path, e))
    if not isinstance(data, dict) or not data.get('streams'):
        raise WorkloadError('%s: a scenario needs a non-empty streams list'
                            % path)
    seed = int(data.get('seed', 0) if seed is None else seed)
    until = duration(data.get('duration', '1d'), 'duration')
    if not until:
        raise WorkloadError('%s: duration must be positive' % path)
    events = []
    for index, stream in enumerate(data['streams']):
        if not isinstance(stream, dict):
            raise WorkloadError('%s: stream #%d is not a mapping'
                                % (path, index))
        events += _stream_events(stream, index, seed, until)
    sample_every = duration(data.get('sample_every', until / 100),
                            'sample_every')
    if not sample_every:
        # The run samples every sample_every seconds: 0 would never end.
        raise WorkloadError('%s: sample_every must be positive' % path)
    return Workload(
        name=data.get('name') or os.path.basename(path), seed=seed,
        duration=until, sample_every=sample_every, events=_ordered(events))


def _trace_rows(path):
    with open(path, newline='') as f:
        if path.endswith(('.jsonl', '.json')):
            for number, line in enumerate(f, 1):
                if line.strip():
                    yield number, json.loads(line)
        else:
            reader = csv.DictReader(f)
            for row in reader:
                yield reader.line_num, {k: v for k, v in row.items()
                                        if v not in (None, '')}


def _trace_event(row, where):
    op = row.get('op')
    if op not in OPS:
        raise WorkloadError('%s: op must be one of %s, not %r'
                            % (where, ', '.join(OPS), op))
    if not row.get('id'):
        raise WorkloadError('%s: every row needs an id' % where)
    hints = row.get('hints') or {}
    if isinstance(hints, str):
        hints = json.loads(hints)
    try:
        count = int(row.get('count', 1))
    except (TypeError, ValueError):
        raise WorkloadError('%s: count %r is not a number'
                            % (where, row['count']))
    if op != DELETE and not row.get('flavor'):
        raise WorkloadError('%s: a %s needs a flavor' % (where, op))
    return Event(
        t=duration(row.get('time', 0), '%s: time' % where), seq=0, op=op,
        key=str(row['id']), flavor=row.get('flavor'), count=max(count, 1),
        group=_group_policy(row.get('group'), where),
        availability_zone=row.get('availability_zone'), hints=hints,
        resize_to=row.get('flavor') if op == RESIZE else None)


def load_trace(path, sample_every=None):
    """The ``Workload`` of a recorded trace (CSV, or JSON lines)."""
    events = []
    try:
        for number, row in _trace_rows(path):
            events.append(_trace_event(row, '%s:%d' % (path, number)))
    except OSError as e:
        raise WorkloadError('cannot read trace %s: %s' % (path, e))
    except (ValueError, AttributeError) as e:
        raise WorkloadError('%s: %s' % (path, e))
    if not events:
        raise WorkloadError('%s: the trace has no event' % path)
    until = max(e.t for e in events)
    return Workload(name=os.path.basename(path), seed=0, duration=until,
                    sample_every=sample_every or max(until / 100, 1.0),
                    events=_ordered(events))


def load(path, seed=None):
    """A scenario (``.yaml``/``.yml``) or a trace (``.csv``, ``.jsonl``)."""
    if path.endswith(('.yaml', '.yml')):
        return load_scenario(path, seed)
    return load_trace(path)
