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

"""Reading flavor extra specs and image properties, strictly.

Nova's API validates extra specs when a flavor is changed and its scheduler
skips what is still malformed with a warning. This service refuses a
malformed value instead (``InvalidRequest`` naming the key and why), before
any Placement call: a request that silently loses a trait lands on the
wrong host.

Image properties arrive in two spellings: ImageMetaProps fields from a
RequestSpec primitive (``hw_cpu_policy``, ``traits_required`` ...) and raw
Glance properties from the legacy dicts (the same names, plus
``trait:NAME=required``); both are read here.
"""

import re

import os_resource_classes
import os_traits
from oslo_utils import strutils

from scheduler import exception

REQUIRED = 'required'
FORBIDDEN = 'forbidden'

# resources1:VCPU, trait_NET:CUSTOM_X, resourcesFOO:VGPU, as Nova reads
# them (Placement 1.33 string suffixes).
EXTRA_SPEC = re.compile(
    r'^(?P<prefix>resources|trait)(?P<suffix>[a-zA-Z0-9_-]{1,64})?:'
    r'(?P<name>.*)$')
_CUSTOM = re.compile(r'^CUSTOM_[A-Z0-9_]+$')
_MAX_AMOUNT = 2 ** 31 - 1
_STANDARD_TRAITS = frozenset(os_traits.get_traits())
_STANDARD_CLASSES = frozenset(os_resource_classes.STANDARDS)


def invalid(key, value, why):
    """``InvalidRequest`` for ``key=value``."""
    return exception.InvalidRequest('%s=%s: %s' % (key, value, why))


def amount(key, value):
    """A resource amount: an integer in 0 .. 2**31-1."""
    try:
        result = int(str(value).strip())
    except ValueError:
        result = -1
    if not 0 <= result <= _MAX_AMOUNT:
        raise invalid(key, value, 'a resource amount must be an integer '
                      'from 0 to %d' % _MAX_AMOUNT)
    return result


def resource_class(key, name):
    """A standard resource class or ``CUSTOM_*``."""
    if name in _STANDARD_CLASSES or _CUSTOM.match(name):
        return name
    raise exception.InvalidRequest(
        '%s: %r is not a standard resource class nor CUSTOM_ followed by '
        'upper case letters, digits and underscores' % (key, name))


def trait(key, name):
    """A standard trait (os-traits) or ``CUSTOM_*``."""
    if name in _STANDARD_TRAITS or _CUSTOM.match(name):
        return name
    raise exception.InvalidRequest(
        '%s: %r is not a standard trait nor CUSTOM_ followed by upper case '
        'letters, digits and underscores' % (key, name))


def custom_name(prefix, label):
    """``CUSTOM_<PREFIX>_<LABEL>`` with Placement's normalisation."""
    return 'CUSTOM_' + re.sub('[^A-Z0-9_]', '_', (prefix + label).upper())


def flag(key, value):
    """A boolean extra spec or image property (True, 'yes', '1' ...)."""
    if isinstance(value, bool):
        return value
    try:
        return strutils.bool_from_string(value, strict=True)
    except ValueError:
        raise invalid(key, value, 'must be a boolean')


def choice(key, value, allowed):
    if value not in allowed:
        raise invalid(key, value, 'must be one of %s' % ', '.join(allowed))
    return value


class Source:
    """The flavor's extra specs and the image's properties of a request."""

    def __init__(self, flavor, image):
        self.extra_specs = flavor.extra_specs or {}
        self.props = (image.properties if image is not None else None) or {}

    def spec(self, key):
        return self.extra_specs.get(key)

    def prop(self, name):
        return self.props.get(name)

    def pair(self, name, allowed=None, boolean=False):
        """(flavor value, image value) of ``hw:name`` / ``hw_name``.

        ``name`` is written as in the extra spec (``hw:cpu_policy``); the
        image property is the same with ``_`` for ``:``.
        """
        prop = name.replace(':', '_')
        values = []
        for key, value in ((name, self.spec(name)), (prop, self.prop(prop))):
            if value is not None and boolean:
                value = flag(key, value)
            elif value is not None and allowed:
                value = choice(key, value, allowed)
            values.append(value)
        return tuple(values)

    def either(self, name, allowed=None, boolean=False):
        """The flavor's value, else the image's; a conflict is refused."""
        flavor, image = self.pair(name, allowed, boolean)
        if (flavor is not None and image is not None and flavor != image):
            raise exception.InvalidRequest(
                'extra spec %s=%s conflicts with image property %s=%s'
                % (name, flavor, name.replace(':', '_'), image))
        return flavor if flavor is not None else image

    def image_traits(self):
        """Required traits of the image: ``traits_required``, ``trait:``."""
        found = set()
        listed = self.prop('traits_required') or []
        if not isinstance(listed, (list, tuple, set)):
            raise invalid('image property traits_required', listed,
                          'must be a list of trait names')
        for name in listed:
            found.add(trait('image property traits_required', name))
        for key, value in self.props.items():
            if not str(key).startswith('trait:'):
                continue
            if value != REQUIRED:
                raise invalid('image property ' + key, value,
                              'an image can only require a trait')
            found.add(trait('image property ' + key, key[len('trait:'):]))
        return found


def parse_cpu_set(key, value):
    """``0-3,^2,5`` -> {0, 1, 3, 5}; a leading ``^`` set is an exclusion."""
    include, exclude = set(), set()
    for part in str(value).split(','):
        part = part.strip()
        target = include
        if part.startswith('^'):
            target, part = exclude, part[1:]
        try:
            if '-' in part:
                low, high = (int(x) for x in part.split('-', 1))
            else:
                low = high = int(part)
        except ValueError:
            raise invalid(key, value, 'is not a CPU set such as 0-3,^2')
        if low < 0 or high < low:
            raise invalid(key, value, 'is not a CPU set such as 0-3,^2')
        target.update(range(low, high + 1))
    return include, exclude
