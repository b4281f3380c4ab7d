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

from tests.fixtures import matrix

COLUMNS = (
    ('fault', 'fault', None),
    ('requests', 'requests', 0),
    ('succeeded', 'succeeded', 0),
    ('no_valid_host', 'NoValidHost', 0),
    ('errors', 'errors', 0),
    ('leaked', 'leaked allocations', 0),
    ('overcommit', 'over-commit', 0),
    ('alive', 'server alive', False),
    ('error_lines', 'ERROR lines', None),
    ('slowest', 'slowest answer s', None),
)

MATRIX = matrix.Matrix('fault matrix', COLUMNS)
Row = MATRIX.Row


def record(row):
    """Add ``row`` to the matrix (before the test asserts on it)."""
    return MATRIX.record(row)
