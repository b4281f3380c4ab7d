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

import dataclasses

from tests.fixtures import matrix

COLUMNS = (
    ('row', 'row'),
    ('requests', 'requests'),
    ('placed', 'placed'),
    ('no_valid_host', 'NoValidHost'),
    ('clear_errors', 'clear errors'),
    ('unexplained', 'unexplained errors'),
    ('leaked', 'leaked allocations'),
    ('overcommit', 'over-commit'),
    ('served_after', 'served after'),
    ('slowest', 'slowest answer s'),
    ('rate', 'calls/s'),
)

MATRIX = matrix.Matrix('production topology matrix', COLUMNS)


@dataclasses.dataclass
class Row:
    row: str
    requests: int = 0
    placed: int = 0
    no_valid_host: int = 0
    clear_errors: int = 0
    unexplained: int = 0
    leaked: int = 0
    overcommit: int = 0
    served_after: bool = False
    slowest: float | None = None
    rate: float | None = None


def record(name, answers, audit, served_after):
    """The row of ``answers`` (``rpc_load.Answer``) and their ``audit``."""
    ends = [a.started + a.seconds for a in answers]
    span = max(ends) - min(a.started for a in answers) if answers else 0
    return MATRIX.record(Row(
        row=name, requests=len(answers),
        placed=sum(a.placed for a in answers),
        no_valid_host=sum(a.refusal is not None for a in answers),
        clear_errors=sum(a.clear_error for a in answers),
        unexplained=sum(a.unexplained for a in answers),
        leaked=audit.wrong, overcommit=audit.overcommit,
        served_after=served_after,
        slowest=max((a.seconds for a in answers), default=None),
        rate=len(answers) / span if span else None))
