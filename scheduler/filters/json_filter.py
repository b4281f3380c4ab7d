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

"""JsonFilter: hosts matching the JSON query of the ``query`` hint.

As in Nova: the hint is a JSON list ``[op, arg, ...]`` with ops ``=``,
``<``, ``>``, ``<=``, ``>=`` (the first argument against every other),
``in`` (the first argument among the others), ``not`` (each argument
flipped), ``or``, ``and``; an argument may be a nested query, a literal,
or ``$attribute[.key...]`` naming a host attribute as Nova's HostState
spells it (``$free_ram_mb``, ``$stats.num_instances``; see
``host_attributes``). Arguments that resolve to nothing are dropped; a
comparison left with fewer than two arguments is False; a list result
passes if any item is true. Without the hint every host passes.

Facts missing: an attribute no source reported resolves to nothing (as an
attribute Nova lacks). A hint that is not valid JSON, or names an unknown
operator, fails every host (Nova raises).
"""

import operator

from oslo_log import log as logging
from oslo_serialization import jsonutils

from scheduler.filters import base
from scheduler.filters import host_attributes
from scheduler.filters import utils
from scheduler import host_scope

LOG = logging.getLogger(__name__)


def _compare(compare):
    def run(args):
        if len(args) < 2:
            return False
        return all(compare(args[0], other) for other in args[1:])
    return run


def _in(args):
    return len(args) >= 2 and args[0] in args[1:]


_COMMANDS = {
    '=': _compare(operator.eq),
    '<': _compare(operator.lt),
    '>': _compare(operator.gt),
    '<=': _compare(operator.le),
    '>=': _compare(operator.ge),
    'in': _in,
    'not': lambda args: [not arg for arg in args],
    'or': any,
    'and': all,
}


class _BadQuery(Exception):
    pass


def _resolve(text, attributes):
    if not text:
        return None
    if not text.startswith('$'):
        return text
    path = text[1:].split('.')
    value = attributes.get(path[0])
    for key in path[1:]:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _evaluate(query, attributes):
    if not query:
        return True
    if not isinstance(query, list) or query[0] not in _COMMANDS:
        raise _BadQuery('unknown operator in %r' % (query,))
    args = []
    for arg in query[1:]:
        if isinstance(arg, list):
            arg = _evaluate(arg, attributes)
        elif isinstance(arg, str):
            arg = _resolve(arg, attributes)
        if arg is not None:
            args.append(arg)
    try:
        return _COMMANDS[query[0]](args)
    except TypeError as e:
        raise _BadQuery(str(e))


class JsonFilter(base.BaseHostFilter):
    """Passes hosts for which the ``query`` hint evaluates true."""

    # The query reads the host's own attributes, usage included.
    per_host = host_scope.STATE

    def host_passes(self, host_state, spec):
        text = utils.scheduler_hint(spec, 'query')
        if not text:
            return True
        try:
            query = jsonutils.loads(text) if isinstance(text, str) else text
            result = _evaluate(query, host_attributes.attributes(host_state))
        except (ValueError, _BadQuery) as e:
            LOG.debug('JsonFilter: query %(query)s fails %(host)s: '
                      '%(error)s', {'query': text, 'host': host_state.host,
                                    'error': e})
            return False
        if isinstance(result, list):
            result = any(result)
        return bool(result)
