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

from tests.fixtures import matrix

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

MATRIX = matrix.Matrix('fault matrix', COLUMNS)


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


def record(row):
    """Add ``row`` to the matrix (before the test asserts on it)."""
    return MATRIX.record(row)
