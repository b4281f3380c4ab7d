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

"""The production topology matrix: one row per scenario under load.

A row is what the callers and Placement saw: requests sent, placed,
refused (NoValidHost), clear errors (the caller was told its call was
lost: ``MessagingTimeout``), unexplained errors (any other exception),
allocations that disagree with the answers (leaked, half-claimed or
missing), over-committed (provider, resource class) pairs, whether a
request sent after the fault was served, the slowest answer, and the
calls per second of the load.
"""

from tests.fixtures import matrix
from tests.topology import audit

COLUMNS = (
    ('row', 'row', None),
    ('requests', 'requests', 0),
    ('placed', 'placed', 0),
    ('no_valid_host', 'NoValidHost', 0),
    ('clear_errors', 'clear errors', 0),
    ('unexplained', 'unexplained errors', 0),
    ('leaked', 'leaked allocations', 0),
    ('overcommit', 'over-commit', 0),
    ('served_after', 'served after', False),
    ('slowest', 'slowest answer s', None),
    ('rate', 'calls/s', None),
)

MATRIX = matrix.Matrix('production topology matrix', COLUMNS)


def record(name, answers, audit, served_after):
    """The row of ``answers`` (``rpc_load.Answer``) and their ``audit``."""
    ends = [a.started + a.seconds for a in answers]
    span = max(ends) - min(a.started for a in answers) if answers else 0
    return MATRIX.record(MATRIX.Row(
        row=name, requests=len(answers),
        placed=sum(a.placed for a in answers),
        no_valid_host=sum(a.refusal is not None for a in answers),
        clear_errors=sum(a.clear_error for a in answers),
        unexplained=sum(a.unexplained for a in answers),
        leaked=audit.wrong, overcommit=audit.overcommit,
        served_after=served_after,
        slowest=max((a.seconds for a in answers), default=None),
        rate=len(answers) / span if span else None))


def record_fault(fault, endpoint, hosts, answers, probes):
    """(the row of a fault, its ``audit.Audit``).

    ``answers``: the load's; ``probes``: requests sent during and after
    the fault, which must be served. The row's name says how many calls'
    answers were lost and how many of those claims landed anyway (whole:
    a lost answer is no leak).
    """
    found = audit.audit(endpoint, hosts, answers + probes)
    name = '%s (%d calls lost, %d of those landed)' % (
        fault, sum(a.clear_error for a in answers), found.landed_lost)
    return record(name, answers + probes, found,
                  all(p.placed for p in probes)), found


def check_fault(row, found, answers, probes):
    """What a fault that leaves room for every request must not break.

    Every call answered or failed with a clear error, none refused, the
    probes placed, Placement holding exactly what the answers say (claims
    of lost answers whole or gone), nothing over-committed.
    """
    assert row.requests == len(answers) + len(probes), row
    assert row.unexplained == 0, [a.error for a in answers
                                  if a.unexplained][:5]
    assert row.served_after, probes
    assert row.no_valid_host == 0, [a.refusal for a in answers
                                    if a.refusal][:5]
    assert row.placed + row.clear_errors == row.requests, row
    assert row.leaked == 0, found
    assert row.overcommit == 0, found
