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

"""The operators of flavor extra specs matched against host capabilities.

A requirement is ``"<op> operand"``; without a known operator it is a plain
string equality. The operators, as Nova documents them:

``=`` (numeric ``>=``, not equality), ``==``, ``!=``, ``>=``, ``<=``
(numeric); ``s==``, ``s!=``, ``s<``, ``s<=``, ``s>``, ``s>=`` (string);
``<in>`` (substring); ``<all-in>`` (every listed word is in the value);
``<or> a <or> b`` (one of the words).
"""

import operator


def _numeric(compare):
    return lambda value, operand: compare(float(value), float(operand))


_OPERATORS = {
    '=': _numeric(operator.ge),
    '==': _numeric(operator.eq),
    '!=': _numeric(operator.ne),
    '>=': _numeric(operator.ge),
    '<=': _numeric(operator.le),
    's==': operator.eq,
    's!=': operator.ne,
    's<': operator.lt,
    's<=': operator.le,
    's>': operator.gt,
    's>=': operator.ge,
    '<in>': lambda value, operand: operand in value,
}


def _one_of(value, words):
    # "<or> a <or> b": every second word is a candidate.
    return value in words[0::2]


def match(value, requirement):
    """Whether the capability ``value`` (a string) meets ``requirement``."""
    words = requirement.split()
    op = words[0] if words else None
    if op == '<or>':
        return value is not None and _one_of(value, words[1:])
    if op == '<all-in>':
        return (value is not None and len(words) > 1 and
                all(word in value for word in words[1:]))
    method = _OPERATORS.get(op)
    if method is None:
        return value == requirement
    if value is None or len(words) < 2:
        return False
    try:
        return method(value, words[1])
    except ValueError:
        # A non-numeric value or operand never satisfies a numeric test.
        return False
