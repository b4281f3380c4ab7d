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

"""Hypothesis strategies for bad select_destinations payloads.

Each example is ``(version, kwargs)`` for a raw RPC call: a valid
RequestSpec primitive with one field broken (a wrong type, removed, an
absurd or negative amount, an unknown object version, a huge list or a
deeply nested value), or arguments that are not a RequestSpec at all.
"""

import copy
import uuid

from hypothesis import strategies as st

from scheduler.sim import writers
from tests.functional import helpers

DATA = 'nova_object.data'
# More items than any list of a request may hold (readers.MAX_ITEMS).
HUGE = 10001
DEPTH = 200

FIELDS = [
    ('num_instances',), ('flavor',), ('flavor', DATA, 'vcpus'),
    ('flavor', DATA, 'memory_mb'), ('flavor', DATA, 'root_gb'),
    ('flavor', DATA, 'swap'), ('flavor', DATA, 'extra_specs'),
    ('flavor', 'nova_object.version'), ('flavor', 'nova_object.name'),
    ('image',), ('image', DATA, 'properties'), ('scheduler_hints',),
    ('ignore_hosts',), ('force_hosts',), ('force_nodes',),
    ('project_id',), ('user_id',), ('availability_zone',),
    ('requested_destination',), ('requested_resources',),
    ('request_level_params',), ('instance_group',), ('retry',),
    ('is_bfv',), ('limits',),
]


def _nested(depth):
    value = 'bottom'
    for i in range(depth):
        value = {'level': value} if i % 2 else [value]
    return value


scalars = (st.none() | st.booleans() |
           st.integers(min_value=-2 ** 70, max_value=2 ** 70) |
           st.floats(allow_nan=False, allow_infinity=False) |
           st.text(max_size=30))
json_values = st.recursive(
    scalars,
    lambda inner: (st.lists(inner, max_size=6) |
                   st.dictionaries(st.text(max_size=12), inner,
                                   max_size=6)),
    max_leaves=25)
special = st.sampled_from([
    -1, -2 ** 31, 2 ** 31, 2 ** 63, 10 ** 30, 0, '1', '', 'x' * 70000,
    ['a'] * HUGE, {str(i): [] for i in range(HUGE)}, _nested(DEPTH),
    {'nova_object.name': 'Flavor', 'nova_object.version': '99.0'},
    {'nova_object.name': 'Nope', 'nova_object.namespace': 'evil',
     'nova_object.version': '1.0', DATA: {}},
])
bad_values = json_values | special
versions = st.sampled_from(['1.15', '1.0', '1.999', '2.0', '0.1', '', 'x',
                            None, 1.15, [1, 15]])


def base_spec():
    return writers.request_spec_to_primitive(helpers.spec())


@st.composite
def broken_specs(draw):
    spec = copy.deepcopy(base_spec())
    path = draw(st.sampled_from(FIELDS))
    target = spec[DATA]
    for key in path[:-1]:
        target = target[key]
    how = draw(st.sampled_from(['replace', 'delete', 'version']))
    if how == 'delete':
        target.pop(path[-1], None)
    elif how == 'version':
        spec['nova_object.version'] = draw(versions)
        target[path[-1]] = draw(bad_values)
    else:
        target[path[-1]] = draw(bad_values)
    return spec


instance_uuids = (st.none() |
                  st.lists(st.uuids().map(str), min_size=1, max_size=3) |
                  st.just([str(uuid.uuid4()) for _ in range(HUGE)]) |
                  json_values)
rpc_versions = st.sampled_from(['4.5', '4.5', '4.5', '4.4', '4.0', '4.99',
                                '5.0'])


@st.composite
def calls(draw):
    """``(rpc version, kwargs of select_destinations)``."""
    kind = draw(st.sampled_from(['broken spec', 'broken spec',
                                 'not a spec', 'legacy']))
    if kind == 'broken spec':
        kwargs = {'spec_obj': draw(broken_specs())}
    elif kind == 'not a spec':
        kwargs = {'spec_obj': draw(bad_values)}
    else:
        kwargs = {'request_spec': draw(bad_values),
                  'filter_properties': draw(bad_values)}
    kwargs['instance_uuids'] = draw(instance_uuids)
    if draw(st.booleans()):
        kwargs['return_objects'] = draw(scalars)
        kwargs['return_alternates'] = draw(scalars)
    return draw(rpc_versions), kwargs
