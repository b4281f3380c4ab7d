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

"""What oslo.messaging does to every argument, result and context.

- The context arrives as the dict of Nova's ``RequestContext.to_dict()``
  and becomes an ``oslo_context.context.RequestContext``, which keeps the
  request ids for log lines and drops the rest. It carries ``auth_token``
  and ``service_catalog`` in clear: neither is kept (the service talks to
  Placement with its own credentials), and a context is never logged.
- Arguments pass through untouched: ``scheduler.rpc.primitives`` reads them
  inside the endpoint, where a malformed one becomes a clear refusal instead
  of a failure inside oslo.messaging's dispatcher.
- Results: versioned objects (``Selection``) become their primitives, which
  Nova's ``NovaObjectSerializer`` turns back into its own objects. Our own
  client rebuilds ``Selection`` objects from them (``rebuild_selections``).
"""

from oslo_context import context as oslo_context
import oslo_messaging
from oslo_versionedobjects import base as ovo_base
from oslo_versionedobjects import fields as ovo_fields

from scheduler.objects import selection

_NAME_KEY = 'nova_object.name'


def context_from_dict(values):
    """An oslo.context ``RequestContext`` from a caller's context dict."""
    if isinstance(values, oslo_context.RequestContext):
        return values
    if not isinstance(values, dict):
        values = {}
    user_id = values.get('user_id') or values.get('user')
    project_id = values.get('project_id') or values.get('project')
    try:
        return oslo_context.RequestContext.from_dict(
            values, user_id=user_id, project_id=project_id,
            auth_token=None)
    except (TypeError, ValueError):
        # A context we cannot read is no reason to refuse the call.
        return oslo_context.RequestContext()


def context_to_dict(ctxt):
    """The dict form of a context (ours, Nova's, or already a dict)."""
    if ctxt is None:
        return {}
    if isinstance(ctxt, dict):
        return dict(ctxt)
    return ctxt.to_dict()


# Field types whose primitive is the (already coerced) value itself, and
# those whose primitive is a tuple of it: the fields of the objects of
# ``scheduler.objects.selection``.
_AS_IS = (ovo_fields.StringField, ovo_fields.UUIDField,
          ovo_fields.IntegerField, ovo_fields.FloatField,
          ovo_fields.BooleanField)
_AS_TUPLE = (ovo_fields.SetOfStringsField,)
# class -> ((field name, 'value' | 'tuple' | 'object'), ...), or None if
# a field of another type leaves it to ``obj_to_primitive()``.
_PLANS = {}


def _plan(cls):
    try:
        return _PLANS[cls]
    except KeyError:
        pass
    plan = []
    for name, field in cls.fields.items():
        if isinstance(field, _AS_IS):
            plan.append((name, 'value'))
        elif isinstance(field, _AS_TUPLE):
            plan.append((name, 'tuple'))
        elif isinstance(field, ovo_fields.ObjectField):
            plan.append((name, 'object'))
        else:
            plan = None
            break
    _PLANS[cls] = plan = tuple(plan) if plan is not None else None
    return plan


def object_primitive(obj):
    """``obj.obj_to_primitive()``, for the objects this service sends.

    The same dict (``tests/unit/rpc/test_serializer.py`` compares them)
    made without oslo.versionedobjects' per-field calls, which cost more
    than the rest of a reply (three Selections, their limits). An
    object with a field of any other type, or asked at another version,
    goes through ``obj_to_primitive()``.
    """
    plan = _plan(type(obj))
    if plan is None:
        return obj.obj_to_primitive()
    data = {}
    is_set = obj.obj_attr_is_set
    for name, kind in plan:
        if not is_set(name):
            continue
        value = getattr(obj, name)
        if value is None or kind == 'value':
            data[name] = value
        elif kind == 'tuple':
            data[name] = tuple(value)
        else:
            data[name] = object_primitive(value)
    primitive = {
        obj._obj_primitive_key('name'): obj.obj_name(),
        obj._obj_primitive_key('namespace'): obj.OBJ_PROJECT_NAMESPACE,
        obj._obj_primitive_key('version'): obj.VERSION,
        obj._obj_primitive_key('data'): data,
    }
    changes = [name for name in obj.obj_what_changed() if name in data]
    if changes:
        primitive[obj._obj_primitive_key('changes')] = changes
    return primitive


def to_primitive(entity):
    """``entity`` with every versioned object replaced by its primitive."""
    if isinstance(entity, ovo_base.VersionedObject):
        return object_primitive(entity)
    if isinstance(entity, (list, tuple)):
        return [to_primitive(item) for item in entity]
    if isinstance(entity, dict):
        return {key: to_primitive(value) for key, value in entity.items()}
    return entity


def rebuild_selections(entity):
    """``entity`` with every ``Selection`` primitive made an object again."""
    if isinstance(entity, list):
        return [rebuild_selections(item) for item in entity]
    if isinstance(entity, dict):
        if entity.get(_NAME_KEY) == 'Selection':
            return selection.Selection.obj_from_primitive(entity)
        return {key: rebuild_selections(value)
                for key, value in entity.items()}
    return entity


class SchedulerSerializer(oslo_messaging.Serializer):
    """The serializer of both the server and our client."""

    def __init__(self, rebuild_selections=False):
        self._rebuild = rebuild_selections

    def serialize_entity(self, ctxt, entity):
        return to_primitive(entity)

    def deserialize_entity(self, ctxt, entity):
        if self._rebuild:
            return rebuild_selections(entity)
        return entity

    def serialize_context(self, ctxt):
        return context_to_dict(ctxt)

    def deserialize_context(self, ctxt):
        return context_from_dict(ctxt)
