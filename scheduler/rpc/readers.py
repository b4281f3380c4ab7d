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

"""Readers of the values inside Nova primitives, each naming its field.

Every reader takes the value and its path in the request (for example
``spec_obj.flavor.memory_mb``) and returns a plain Python value, or raises
``InvalidRequest`` whose reason starts with that path: the caller learns
which field is wrong and why. ``read_object`` unwraps a Nova object
primitive (``nova_object.name``/``namespace``/``version``/``data``).

Lists and strings are bounded by the ``Bounds`` the endpoint reads with
(``bounded()``), for the call being read only.
"""

import contextlib
import contextvars
import dataclasses

from oslo_log import log as logging

from scheduler import exception

LOG = logging.getLogger(__name__)

NAME_KEY = 'nova_object.name'
NAMESPACE_KEY = 'nova_object.namespace'
VERSION_KEY = 'nova_object.version'
DATA_KEY = 'nova_object.data'
NOVA_NAMESPACE = 'nova'

# Nova's integer columns (and Placement's) are 32-bit signed.
MAX_INT = 2 ** 31 - 1
# Bounds on what one request may carry: the defaults of [scheduler]
# max_request_items and max_request_string_length.
MAX_ITEMS = 10000
MAX_STRING = 65535


@dataclasses.dataclass(frozen=True)
class Bounds:
    """How many items a list, and characters a string, may have."""

    items: int = MAX_ITEMS
    string: int = MAX_STRING

    @classmethod
    def from_conf(cls, conf):
        return cls(items=conf.scheduler.max_request_items,
                   string=conf.scheduler.max_request_string_length)


# The bounds of the call being read, in this thread (or task).
_BOUNDS = contextvars.ContextVar('scheduler_request_bounds',
                                 default=Bounds())


@contextlib.contextmanager
def bounded(bounds):
    """Read with ``bounds`` (a ``Bounds``) inside the block."""
    token = _BOUNDS.set(bounds)
    try:
        yield bounds
    finally:
        _BOUNDS.reset(token)


# The major version of each Nova object this module reads.
MAJOR_VERSIONS = {
    'Aggregate': 1,
    'AggregateList': 1,
    'CellMapping': 1,
    'ComputeNode': 1,
    'ComputeNodeList': 1,
    'Destination': 1,
    'Flavor': 1,
    'ImageMeta': 1,
    'ImageMetaProps': 1,
    'Instance': 2,
    'InstanceGroup': 1,
    'InstanceList': 2,
    'InstanceNUMACell': 1,
    'InstanceNUMATopology': 1,
    'InstancePCIRequest': 1,
    'InstancePCIRequests': 1,
    'NetworkMetadata': 1,
    'NetworkRequest': 1,
    'NetworkRequestList': 1,
    'RequestGroup': 1,
    'RequestLevelParams': 1,
    'RequestSpec': 1,
    'SchedulerRetries': 1,
}


def show(value, limit=40):
    """A short repr of ``value`` for an error message."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + '...'


def invalid(path, problem, *value):
    """Raise InvalidRequest: ``path problem[, got value]``."""
    reason = '%s %s' % (path, problem)
    if value:
        reason += ', got %s' % show(value[0])
    raise exception.InvalidRequest(reason)


def _major(version):
    try:
        return int(str(version).split('.')[0])
    except ValueError:
        return None


def _foreign(value, name):
    """Why ``value`` is not a readable primitive of ``name``, or None."""
    if value.get(NAME_KEY) != name:
        return 'is a %s, not a %s' % (show(value.get(NAME_KEY)), name)
    if value.get(NAMESPACE_KEY, NOVA_NAMESPACE) != NOVA_NAMESPACE:
        return 'is not in namespace %s' % NOVA_NAMESPACE
    version = value.get(VERSION_KEY)
    if _major(version) != MAJOR_VERSIONS[name]:
        return 'has version %s, only %d.x is read' % (
            show(version), MAJOR_VERSIONS[name])
    return None


def read_object(value, path, name, required=False, plain=False):
    """The ``data`` dict of ``value``, a primitive of the Nova object ``name``.

    ``None`` when ``value`` is None, or is an object of another kind or
    major version, unless ``required`` (then InvalidRequest). ``plain``
    accepts a plain dict of the fields as well (the legacy dicts carry
    some objects that way).
    """
    if value is None:
        if required:
            invalid(path, 'is missing')
        return None
    if not isinstance(value, dict):
        invalid(path, 'must be a %s object' % name, value)
    if NAME_KEY not in value:
        if plain:
            return value
        invalid(path, 'must be a %s object primitive' % name, value)
    problem = _foreign(value, name)
    if problem:
        if required:
            invalid(path, problem)
        LOG.debug('Ignoring %s: it %s', path, problem)
        return None
    data = value.get(DATA_KEY, {})
    if not isinstance(data, dict):
        invalid(path + '.' + DATA_KEY, 'must be a dict', data)
    return data


def read_int(value, path, default=None, minimum=0, maximum=MAX_INT,
             bound_name=None):
    """An integer in ``[minimum, maximum]``; None takes ``default``."""
    if value is None:
        if default is None:
            invalid(path, 'is missing')
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        invalid(path, 'must be an integer', value)
    if value < minimum:
        invalid(path, 'must be >= %d' % minimum, value)
    if value > maximum:
        invalid(path, 'must be <= %d%s' % (
            maximum, ' (%s)' % bound_name if bound_name else ''), value)
    return value


def read_str(value, path):
    """A string, or None."""
    if value is None:
        return None
    if not isinstance(value, str):
        invalid(path, 'must be a string', value)
    limit = _BOUNDS.get().string
    if len(value) > limit:
        invalid(path, 'is longer than %d characters ([scheduler] '
                'max_request_string_length)' % limit)
    return value


def read_bool(value, path, default=False):
    if value is None:
        return default
    if not isinstance(value, bool):
        invalid(path, 'must be true or false', value)
    return value


def sized(value, path, kinds, what):
    if not isinstance(value, kinds):
        invalid(path, 'must be %s' % what, value)
    limit = _BOUNDS.get().items
    if len(value) > limit:
        invalid(path, 'has more than %d items ([scheduler] '
                'max_request_items)' % limit)
    return value


def read_strings(value, path):
    """A list of strings (a Nova list or set of strings); None is []."""
    if value is None:
        return []
    sized(value, path, (list, tuple, set), 'a list of strings')
    return [read_str(item, '%s[%d]' % (path, i)) for i, item in
            enumerate(value) if item is not None]


def read_string_lists(value, path):
    """A list of lists of strings; None is []."""
    if value is None:
        return []
    sized(value, path, (list, tuple), 'a list of lists of strings')
    return [read_strings(item, '%s[%d]' % (path, i))
            for i, item in enumerate(value)]


def read_dict(value, path):
    """A dict with string keys (values as they are); None is {}."""
    if value is None:
        return {}
    sized(value, path, dict, 'a dict')
    for key in value:
        read_str(key, path + ' key')
    return dict(value)


def read_string_dict(value, path):
    """A dict of strings to strings; None is {}."""
    result = read_dict(value, path)
    for key, item in result.items():
        read_str(item, '%s[%s]' % (path, show(key)))
    return result


def read_amounts(value, path):
    """Resource class -> amount (an integer in ``[0, MAX_INT]``)."""
    result = read_dict(value, path)
    for key, amount in result.items():
        read_int(amount, '%s[%s]' % (path, show(key)))
    return result


def read_hints(value, path):
    """Scheduler hints: name -> list of values (a scalar is wrapped)."""
    hints = {}
    for key, item in read_dict(value, path).items():
        if not isinstance(item, list):
            item = [item]
        hints[key] = sized(item, '%s[%s]' % (path, show(key)), list,
                           'a list')
    return hints


def read_num_instances(value, path, max_instances=None):
    return read_int(value, path, default=1, minimum=1,
                    maximum=max_instances or MAX_INT,
                    bound_name=('[scheduler] max_instances_per_request'
                                if max_instances else None))


def plain(value):
    """A Nova object primitive as plain data (``nova_object.data``).

    For the primitives Nova stores as JSON in its databases (a compute
    node's ``numa_topology``, ``pci_stats``), read without their envelopes.
    """
    if isinstance(value, dict):
        if 'nova_object.data' in value:
            return plain(value['nova_object.data'])
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
