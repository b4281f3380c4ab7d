"""The instances of one host, held compactly.

A scheduler worker may know hundreds of thousands of instances. Holding an
``InstanceFacts`` object for each costs ~80 bytes more per instance than
this: a dict of uuid -> a shared tuple of the other fields (there are few
distinct project / state combinations). ``Instances`` is the read-only
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


def state_of(flavor_id=None, project_id=None, vm_state=None,
             task_state=None):
    """The shared tuple of an instance's fields other than its uuid."""
    key = (_intern(flavor_id), _intern(project_id), _intern(vm_state),
           _intern(task_state))
    state = _STATES.get(key)
    if state is None:
        with _STATES_LOCK:
            state = _STATES.setdefault(key, key)
    return state


def state_of_facts(instance):
    return state_of(instance.flavor_id, instance.project_id,
                    instance.vm_state, instance.task_state)


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
