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

"""The instances of one host, held compactly.

A scheduler worker may know hundreds of thousands of instances. Holding an
``InstanceFacts`` object for each costs ~80 bytes more per instance than
this: a dict of uuid -> a shared tuple of the other fields (there are few
distinct project / state / image combinations). ``Instances`` is the read-only
mapping ``{uuid: InstanceFacts}`` over it that ``HostFacts.instances``
carries; its ``InstanceFacts`` are made when read.
"""

import collections.abc
import sys
import threading


from scheduler.host_state import facts

_STATES = {}
_STATES_LOCK = threading.Lock()


def _intern(value):
    return sys.intern(value) if isinstance(value, str) else value


# Nova keeps an instance's image in its system metadata, one key per
# field, prefixed "image_". These prefixed keys are not image properties:
# the image's own fields, and mappings too large to be stored.
IMAGE_PREFIX = 'image_'
_NOT_PROPERTIES = frozenset((
    'min_ram', 'min_disk', 'disk_format', 'container_format',
    'mappings', 'block_device_mapping', 'img_mappings',
    'img_block_device_mapping'))
NO_IMAGE_PROPERTIES = frozenset()
# Where the image properties are in a state tuple.
_IMAGE = 4


def image_properties_wanted(conf):
    """Whether ImagePropertiesWeigher weighs (it reads image properties).

    Reading them costs a row per property and instance; as in Nova, the
    weigher is off, whatever the aggregates say, while its multiplier is 0.
    """
    return conf.filter_scheduler.image_props_weight_multiplier != 0.0


def image_properties(system_metadata):
    """The image properties an instance's system metadata records.

    A frozenset of ``(name, value as text)`` pairs: instances of one image
    share it (``state_of`` interns it with the other fields).
    """
    if not system_metadata:
        return NO_IMAGE_PROPERTIES
    found = []
    for key, value in system_metadata.items():
        if (value is None or not isinstance(key, str) or
                not key.startswith(IMAGE_PREFIX)):
            continue
        name = key[len(IMAGE_PREFIX):]
        if name not in _NOT_PROPERTIES:
            found.append((sys.intern(name), str(value)))
    return frozenset(found) if found else NO_IMAGE_PROPERTIES


def state_of(flavor_id=None, project_id=None, vm_state=None,
             task_state=None, image_properties=NO_IMAGE_PROPERTIES):
    """The shared tuple of an instance's fields other than its uuid."""
    key = (_intern(flavor_id), _intern(project_id), _intern(vm_state),
           _intern(task_state), image_properties)
    state = _STATES.get(key)
    if state is None:
        with _STATES_LOCK:
            state = _STATES.setdefault(key, key)
    return state


def keep_image_properties(known, state):
    """``state``, with the image properties of ``known`` if it has none.

    A compute's start-up list carries no system metadata: what an earlier
    cast said of an instance's image still holds.
    """
    if known is None or state[_IMAGE] or not known[_IMAGE]:
        return state
    return state_of(*state[:_IMAGE], image_properties=known[_IMAGE])


def state_of_facts(instance):
    return state_of(instance.flavor_id, instance.project_id,
                    instance.vm_state, instance.task_state,
                    instance.image_properties)


EMPTY_STATE = state_of()


class Instances(collections.abc.Mapping):
    """Read-only ``{uuid: InstanceFacts}`` over ``{uuid: state tuple}``.

    The dict given is owned by this mapping from then on: sources build a
    new one for every change instead of changing it.
    """

    __slots__ = ('_states',)

    def __init__(self, states=None):
        self._states = states if states is not None else {}

    def __getitem__(self, uuid):
        return facts.InstanceFacts(uuid, *self._states[uuid])

    def __iter__(self):
        return iter(self._states)

    def __len__(self):
        return len(self._states)

    def __contains__(self, uuid):
        return uuid in self._states

    def keys(self):
        return self._states.keys()

    def __repr__(self):
        return 'Instances(%d)' % len(self._states)

    def states(self):
        """A copy of the underlying ``{uuid: state}``, to change."""
        return dict(self._states)


EMPTY = Instances()
