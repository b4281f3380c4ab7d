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

"""The words of a Placement diagnosis, as the caller reads them.

The caller's text reaches end users (Nova's instance fault): it names
resource classes, amounts, traits and counts, never a provider, a host,
an aggregate or a tree by name or uuid (aggregates and trees are counted,
not named). The operator's detail, with the query strings, is
``scheduler.cycle.diagnose``'s log line.

E.g. ``Placement has no candidate for VCPU:16, MEMORY_MB:262144, required
CUSTOM_BIGMEM: 6 providers have CUSTOM_BIGMEM and room for VCPU:16 but
none has MEMORY_MB:262144 free (largest free 163,840)``.

Nova keeps the first 255 characters of an instance fault's message, "No
valid host was found. " included, so the words stay short: the
``root_required=!COMPUTE_STATUS_DISABLED`` every query carries is left out
unless it is what blocks, and the constraints the providers do meet are
summed up as "every other constraint" when naming them would not fit.
"""

import dataclasses

from scheduler.placement import diagnosis

PREFIX = 'Placement has no candidate for '
# Nova's fault message column, less its "No valid host was found. ".
FITS = 255 - len('No valid host was found. ')


@dataclasses.dataclass
class Finding:
    """A constraint whose relaxed query got candidates.

    ``hosts``: how many (None: not counted, the answer had ``limit=1``);
    ``truncated``: there may be more; ``room``: a ``diagnosis.Room`` for a
    resource, when counted.
    """

    constraint: diagnosis.Constraint
    hosts: int | None = None
    truncated: bool = False
    room: object = None


def _in_group(text, suffix):
    return '%s (group %s)' % (text, suffix) if suffix else text


def _plural(count, word):
    return '%d %s%s' % (count, word, '' if count == 1 else 's')


def label(c):
    """A constraint as the caller reads it (no uuid)."""
    kind, value = c.kind, c.value
    if kind == 'resource':
        text = '%s:%d' % (value, c.amount)
    elif kind == 'required':
        text = 'required %s' % value
    elif kind == 'forbidden':
        text = 'forbidden %s' % value
    elif kind == 'any_of':
        text = 'one of %s' % ', '.join(sorted(value))
    elif kind == 'member_of':
        text = 'member of one of %s' % _plural(len(value), 'aggregate')
    elif kind == 'forbidden_aggregates':
        text = 'in none of %s' % _plural(len(value), 'excluded aggregate')
    elif kind == 'in_tree':
        text = 'in the requested provider tree'
    elif kind == 'root_required':
        text = 'root required %s' % value
    elif kind == 'root_forbidden':
        text = 'root forbidden %s' % value
    elif kind == 'same_subtree':
        text = 'same_subtree %s' % ','.join(value)
    else:
        text = 'group_policy=%s' % value
    return _in_group(text, c.suffix)


def _said(c):
    """False for the disabled-host trait every query carries."""
    return not (c.kind == 'root_forbidden' and
                c.value == diagnosis.DISABLED_TRAIT)


def describe(query):
    """The query as the caller reads it: its constraints' labels."""
    return ', '.join(label(c) for c in diagnosis.constraints(query)
                     if _said(c))


def _having(c):
    """What a provider has, for ``have ...``; None if not a having."""
    if c.kind == 'required':
        return _in_group(c.value, c.suffix)
    if c.kind == 'any_of':
        return _in_group('one of %s' % ', '.join(sorted(c.value)),
                         c.suffix)
    if c.kind == 'root_required':
        return '%s on the host' % c.value
    return None


def _clause(c):
    """What a provider does for any other constraint, as a clause."""
    if c.kind == 'forbidden':
        return _in_group('lack %s' % c.value, c.suffix)
    if c.kind == 'root_forbidden':
        return 'lack %s on the host' % c.value
    if c.kind == 'member_of':
        return _in_group('are in the requested aggregates', c.suffix)
    if c.kind == 'forbidden_aggregates':
        return _in_group('are outside the excluded aggregates', c.suffix)
    if c.kind == 'in_tree':
        return _in_group('are in the requested provider tree', c.suffix)
    if c.kind == 'same_subtree':
        return 'hold groups %s in one subtree' % ', '.join(c.value)
    return 'take each group from a different provider'


def _and(items):
    if len(items) < 2:
        return ''.join(items)
    return '%s and %s' % (', '.join(items[:-1]), items[-1])


# The verbs of ``_others`` for one provider.
_SINGULAR = {'have': 'has', 'lack': 'lacks', 'are': 'is', 'hold': 'holds',
             'take': 'takes', 'exist': 'exists', 'meet': 'meets'}


def _agree(clause, count):
    if count != 1:
        return clause
    verb, _, rest = clause.partition(' ')
    return ' '.join(filter(None, (_SINGULAR.get(verb, verb), rest)))


def _others(query, blocked, count=None):
    """What the providers do about every constraint but ``blocked``."""
    having, clauses, room = [], [], {}
    for c in diagnosis.constraints(query):
        if c == blocked or not _said(c):
            continue
        if c.kind == 'resource':
            room.setdefault(c.suffix, []).append(
                '%s:%d' % (c.value, c.amount))
            continue
        text = _having(c)
        if text is not None:
            having.append(text)
        else:
            clauses.append(_clause(c))
    having += [_in_group('room for %s' % ', '.join(amounts), suffix)
               for suffix, amounts in room.items()]
    if having:
        clauses.insert(0, 'have ' + _and(having))
    return _and([_agree(c, count) for c in clauses or ['exist']])


def _count(finding):
    if finding.hosts is None:
        return 'some providers'
    text = _plural(finding.hosts, 'provider')
    return 'at least ' + text if finding.truncated else text


def _resource_blocked(c, room):
    asked = _in_group('%s:%d' % (c.value, c.amount), c.suffix)
    if room is None:
        return 'none has %s free' % asked
    if room.largest_free is None:
        return 'none has any %s' % _in_group(c.value, c.suffix)
    if room.largest_free >= c.amount:
        # Free enough, but not in one allocation of that size.
        return ('none takes %s (largest free %s; its max_unit or '
                'step_size does not allow it)'
                % (asked, '{:,}'.format(room.largest_free)))
    return 'none has %s free (largest free %s)' % (
        asked, '{:,}'.format(max(room.largest_free, 0)))


def blocked(finding):
    """What no provider does, e.g. ``none has MEMORY_MB:4096 free``."""
    c = finding.constraint
    kind, value = c.kind, c.value
    if kind == 'resource':
        return _resource_blocked(c, finding.room)
    if kind == 'required':
        return _in_group('none has %s' % value, c.suffix)
    if kind == 'any_of':
        return _in_group('none has any of %s' % ', '.join(sorted(value)),
                         c.suffix)
    if kind == 'forbidden':
        return _in_group('each has the forbidden %s' % value, c.suffix)
    if kind == 'root_required':
        return 'no host has %s' % value
    if kind == 'root_forbidden':
        if value == diagnosis.DISABLED_TRAIT:
            return 'each is disabled (%s)' % value
        return 'each host has the forbidden %s' % value
    if kind == 'member_of':
        return _in_group('none is in the requested aggregates (%d)'
                         % len(value), c.suffix)
    if kind == 'forbidden_aggregates':
        return _in_group('each is in an excluded aggregate', c.suffix)
    if kind == 'in_tree':
        return _in_group('none is in the requested provider tree',
                         c.suffix)
    if kind == 'same_subtree':
        return 'none holds groups %s in one subtree' % ', '.join(value)
    return ('none takes each group from a different provider '
            '(group_policy=isolate)')


def reason(query, findings, asked, total, failed=0):
    """The caller's NoValidHost reason.

    :param findings: a ``Finding`` per relaxed query that got candidates,
        in the order asked.
    :param asked: how many constraints were relaxed (one query each).
    :param total: how many the query has.
    :param failed: how many relaxed queries Placement did not answer.
    """
    text = PREFIX + (describe(query) or 'the request')
    if not asked and not failed:
        return text
    if len(findings) == 1:
        (finding,) = findings
        for others in (_others(query, finding.constraint, finding.hosts),
                       _agree('meet every other constraint',
                              finding.hosts)):
            said = '%s: %s %s but %s' % (text, _count(finding), others,
                                         blocked(finding))
            if len(said) <= FITS:
                break
        return said
    if findings:
        parts = ['without %s, %s qualify (%s)'
                 % (label(f.constraint), _count(f), blocked(f))
                 for f in findings]
        return '%s: no provider meets all of them; %s' % (
            text, '; '.join(parts))
    if failed == asked:
        return text + ' (the diagnosis could not ask Placement)'
    text += (': relaxing any one of the %s tried still leaves no '
             'candidate' % _plural(asked - failed, 'constraint'))
    if asked < total:
        text += ('; %d of %d constraints tried ([scheduler] '
                 'diagnosis_max_queries)' % (asked, total))
    elif not failed:
        text += ' (several fail together)'
    if failed:
        text += '; %d relaxed %s failed' % (
            failed, 'query' if failed == 1 else 'queries')
    return text
