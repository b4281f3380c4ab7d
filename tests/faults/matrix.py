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

"""The fault matrix: one row per fault, printed when the session ends.

A row is what the caller and Placement saw while one fault was on:
requests sent, how many succeeded, how many were refused with NoValidHost,
how many ended otherwise (a timeout, an unexpected error), allocations
leaked and resources over-committed afterwards (both must be 0), and
whether the server still served a plain request after the fault.
"""

import dataclasses
import threading

COLUMNS = (
    ('fault', 'fault'),
    ('requests', 'requests'),
    ('succeeded', 'succeeded'),
    ('no_valid_host', 'NoValidHost'),
    ('errors', 'errors'),
    ('leaked', 'leaked allocations'),
    ('overcommit', 'over-commit'),
    ('alive', 'server alive'),
    ('error_lines', 'ERROR lines'),
    ('slowest', 'slowest answer s'),
)

_ROWS = []
_LOCK = threading.Lock()


@dataclasses.dataclass
class Row:
    fault: str
    requests: int = 0
    succeeded: int = 0
    no_valid_host: int = 0
    errors: int = 0
    leaked: int = 0
    overcommit: int = 0
    alive: bool = False
    error_lines: int | None = None
    slowest: float | None = None

    def cells(self):
        values = dataclasses.asdict(self)
        values['alive'] = 'yes' if self.alive else 'NO'
        values['error_lines'] = ('-' if self.error_lines is None
                                 else self.error_lines)
        values['slowest'] = ('-' if self.slowest is None
                             else '%.1f' % self.slowest)
        return [str(values[name]) for name, _ in COLUMNS]


def record(row):
    """Add ``row`` to the table (before the test asserts on it)."""
    with _LOCK:
        _ROWS.append(row)
    return row


def rows():
    with _LOCK:
        return list(_ROWS)


def table(rows_=None):
    """The matrix as lines of text, one per row under a header."""
    rows_ = rows() if rows_ is None else rows_
    header = [title for _, title in COLUMNS]
    body = [row.cells() for row in rows_]
    widths = [max(len(line[i]) for line in [header] + body)
              for i in range(len(header))]

    def fmt(line):
        return ' | '.join(cell.ljust(width) if i == 0 else cell.rjust(width)
                          for i, (cell, width) in
                          enumerate(zip(line, widths)))
    rule = '-+-'.join('-' * w for w in widths)
    return [fmt(header), rule] + [fmt(line) for line in body]
