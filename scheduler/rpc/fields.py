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

"""Declarative tables of Nova's objects: one table reads and writes each.

A ``NovaObject`` names a Nova object, the version Nova 34 writes, the plain
record it is read into, and its ``Field`` rows: the wire name, the
record's attribute, and the ``Kind`` of value, which knows how to read it
(strictly, through ``scheduler.rpc.readers``: a bad value is an
``InvalidRequest`` naming its path) and how to write it back. The service
reads with the tables (``primitives``, ``numa_pci``, ``payloads``); the
simulator and the tests write with the same tables (``scheduler.sim.
writers``), so a field added to a table is read and written alike.
"""

import dataclasses

from scheduler.rpc import readers


def nova_object(name, version, data):
    """A Nova object primitive of ``name`` with the fields ``data``."""
    return {
        readers.NAME_KEY: name,
        readers.NAMESPACE_KEY: readers.NOVA_NAMESPACE,
        readers.VERSION_KEY: version,
        readers.DATA_KEY: data,
        'nova_object.changes': sorted(data),
    }


def _same(value):
    return value


class Kind:
    """How a field's value is read (``read(value, path)``) and written."""

    __slots__ = ('read', 'write')

    def __init__(self, read, write=_same):
        self.read = read
        self.write = write


def integer(default=None, minimum=0):
    """An integer; None reads as ``default`` (missing when None)."""
    return Kind(lambda value, path: readers.read_int(
        value, path, default, minimum=minimum))


def boolean(default=False):
    return Kind(lambda value, path: readers.read_bool(value, path, default))


def _optional_int(value, path):
    return None if value is None else readers.read_int(value, path)


def _required_str(value, path):
    value = readers.read_str(value, path)
    if not value:
        readers.invalid(path, 'is missing')
    return value


def _first_string(value, path):
    strings = readers.read_strings(value, path)
    return strings[0] if strings else None


STR = Kind(readers.read_str)
REQUIRED_STR = Kind(_required_str)
# An older form of a string field: a list whose first item is the value.
FIRST_STRING = Kind(_first_string)
OPTIONAL_INT = Kind(_optional_int)
STRINGS = Kind(readers.read_strings, list)
# Nova sends an empty list of hosts to ignore or force as None.
STRINGS_OR_NONE = Kind(readers.read_strings, lambda value: list(value) or None)
STRING_SET = Kind(lambda value, path: set(readers.read_strings(value, path)),
                  sorted)
FROZEN_STRINGS = Kind(
    lambda value, path: frozenset(readers.read_strings(value, path)), sorted)
STRING_LISTS = Kind(readers.read_string_lists,
                    lambda value: [list(item) for item in value])
STRING_DICT = Kind(readers.read_string_dict, dict)
AMOUNTS = Kind(readers.read_amounts, dict)
HINTS = Kind(readers.read_hints,
             lambda value: {k: list(v) for k, v in value.items()})


@dataclasses.dataclass(frozen=True)
class Field:
    """One field: ``wire`` name, ``kind``, and the record's ``attr``.

    ``alias``/``alias_kind``: an older wire form, read when ``wire`` is
    absent. ``omit``: not written when empty (Nova leaves it unset).
    ``read_only``: never written (the simulator does not send it).
    """

    wire: str
    kind: Kind
    attr: str | None = None
    alias: str | None = None
    alias_kind: Kind | None = None
    omit: bool = False
    read_only: bool = False

    @property
    def name(self):
        return self.attr or self.wire


class NovaObject:
    """The table of one Nova object.

    :param version: the version written (None: read, never written).
    :param model: the record class, built with one keyword per field.
    :param absent: what reading an absent object gives (called), instead
        of None; ``empty_is_absent``: an object without fields is absent.
    :param constants: wire fields always written with these values.
    """

    def __init__(self, name, version, model, fields, absent=None,
                 empty_is_absent=False, constants=None):
        self.name = name
        self.version = version
        self.model = model
        self.fields = tuple(fields)
        self.absent = absent
        self.empty_is_absent = empty_is_absent
        self.constants = dict(constants or {})

    def read(self, value, path, required=False, plain=False):
        """The record of ``value`` (a primitive of this object, or None).

        ``plain`` takes a plain dict of the fields too (the legacy dicts).
        """
        data = readers.read_object(value, path, self.name,
                                   required=required, plain=plain)
        if data is None or (self.empty_is_absent and not data):
            return self.absent() if self.absent is not None else None
        return self.model(**self.read_fields(data, path))

    def read_fields(self, data, path):
        found = {}
        for field in self.fields:
            value, kind, wire = data.get(field.wire), field.kind, field.wire
            if value is None and field.alias is not None:
                value, wire = data.get(field.alias), field.alias
                kind = field.alias_kind or kind
            found[field.name] = kind.read(value, '%s.%s' % (path, wire))
        return found

    def write(self, record, **extra):
        """The primitive of ``record`` (None stays None).

        ``extra``: wire fields added as they are.
        """
        if record is None:
            return None
        if self.version is None:
            raise TypeError('%s is read, never written' % self.name)
        data = {}
        for field in self.fields:
            if field.read_only:
                continue
            value = getattr(record, field.name)
            if field.omit and not value:
                continue
            data[field.wire] = field.kind.write(value)
        data.update(self.constants)
        data.update(extra)
        return nova_object(self.name, self.version, data)


def nested(table, **read_options):
    """A field holding one object of ``table``."""
    return Kind(lambda value, path: table.read(value, path, **read_options),
                table.write)


def listed(table, what):
    """A field holding a plain list of objects of ``table``; None is []."""

    def read(value, path):
        if value is None:
            return []
        readers.sized(value, path, list, 'a list of %s' % what)
        items = (table.read(item, '%s[%d]' % (path, i))
                 for i, item in enumerate(value))
        return [item for item in items if item is not None]

    return Kind(read, lambda records: [table.write(r) for r in records])


def object_list(list_name, version, table):
    """A field holding a Nova ObjectList (``objects``) of ``table``."""

    def read(value, path):
        data = readers.read_object(value, path, list_name) or {}
        objects = data.get('objects') or []
        path += '.objects'
        readers.sized(objects, path, list, 'a list of %s objects'
                      % table.name)
        items = (table.read(item, '%s[%d]' % (path, i))
                 for i, item in enumerate(objects))
        return [item for item in items if item is not None]

    def write(records):
        return nova_object(list_name, version, {
            'objects': [table.write(r) for r in records]})

    return Kind(read, write)
