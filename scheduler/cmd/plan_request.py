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

"""What ``scheduler-plan`` asks for: a ``RequestSpec`` from its arguments.

``--flavor`` is an inline spec, ``vcpus=4,ram=8192,disk=40``, with
optional ``ephemeral=GB``, ``swap=MiB``, ``name=NAME`` and any number of
``extra_spec:KEY=VALUE`` (``extra_spec:hw:numa_cpus.0=0,1``: a piece
without ``=`` after an extra spec continues its value), or the name of a
flavor of ``--flavors-file`` (YAML: ``name: inline spec``, or ``name:
{vcpus, ram, disk, ephemeral, swap, extra_specs}``), or else, with
``[host_facts_nova_db] api_connection`` configured, a flavor name or id
of Nova's API database (``plan_flavors``). There is no Nova API here.
``--image-prop KEY=VALUE`` sets an image property (digits are read as an
integer, as Nova's typed image properties would be). The guest NUMA
topology is derived from ``hw:*`` extra specs and ``hw_*`` image
properties as Nova's API would (``plan_numa``). A bad argument is a
``BadArgument`` naming it and saying what was expected.
"""

import yaml

from scheduler.cmd import plan_flavors
from scheduler.cmd import plan_numa
from scheduler.objects import request_spec

EXTRA_SPEC = 'extra_spec:'
# Inline keys: the Flavor field and the smallest value allowed.
_FIELDS = {'vcpus': ('vcpus', 1), 'ram': ('memory_mb', 1),
           'disk': ('root_gb', 0), 'ephemeral': ('ephemeral_gb', 0),
           'swap': ('swap', 0)}
_REQUIRED = ('vcpus', 'ram')
EXAMPLE = 'vcpus=4,ram=8192,disk=40[,extra_spec:KEY=VALUE...]'


class BadArgument(Exception):
    """An argument that cannot be read; the message says which and why."""


def _pairs(text):
    """``[(key, value)]`` of ``k=v,k=v``; continuations joined."""
    pairs = []
    for piece in text.split(','):
        if '=' not in piece:
            if pairs and pairs[-1][0].startswith(EXTRA_SPEC):
                key, value = pairs[-1]
                pairs[-1] = (key, value + ',' + piece)
                continue
            raise BadArgument('--flavor: %r is not KEY=VALUE (expected %s)'
                              % (piece, EXAMPLE))
        key, value = piece.split('=', 1)
        pairs.append((key.strip(), value.strip()))
    return pairs


def _amount(key, value, minimum):
    try:
        amount = int(value)
    except (TypeError, ValueError):
        raise BadArgument('--flavor: %s=%r is not an integer' % (key, value))
    if amount < minimum:
        raise BadArgument('--flavor: %s must be >= %d, not %d'
                          % (key, minimum, amount))
    return amount


def flavor_from_fields(values, extra_specs, name):
    """A ``Flavor`` from ``{inline key: value}`` and its extra specs."""
    unknown = sorted(set(values) - set(_FIELDS) - {'name'})
    if unknown:
        raise BadArgument('--flavor: unknown key(s) %s; known: %s, name, '
                          '%sKEY' % (', '.join(unknown),
                                     ', '.join(_FIELDS), EXTRA_SPEC))
    missing = [key for key in _REQUIRED if key not in values]
    if missing:
        raise BadArgument('--flavor: %s missing (expected %s)'
                          % (', '.join(missing), EXAMPLE))
    fields = {field: _amount(key, values[key], minimum)
              for key, (field, minimum) in _FIELDS.items() if key in values}
    name = str(values.get('name') or name)
    return request_spec.Flavor(name=name, flavorid=name,
                               extra_specs=dict(extra_specs), **fields)


def parse_flavor(text):
    """The ``Flavor`` of an inline spec (see the module's docstring)."""
    if not text or not text.strip():
        raise BadArgument('--flavor is empty (expected %s or a flavor '
                          'name)' % EXAMPLE)
    values, extra_specs = {}, {}
    for key, value in _pairs(text):
        if key.startswith(EXTRA_SPEC):
            spec_key = key[len(EXTRA_SPEC):]
            if not spec_key:
                raise BadArgument('--flavor: %r names no extra spec' % key)
            target, key = extra_specs, spec_key
        else:
            target = values
        if key in target:
            raise BadArgument('--flavor: %s given twice' % key)
        target[key] = value
    # Named as given, for the service's log lines (Nova's limit: 255).
    return flavor_from_fields(values, extra_specs, text.strip()[:255])


def _from_file_entry(name, entry):
    if isinstance(entry, str):
        flavor = parse_flavor(entry)
        flavor.name = flavor.flavorid = name
        return flavor
    if not isinstance(entry, dict):
        raise BadArgument('--flavors-file: flavor %s is neither an inline '
                          'spec nor a mapping' % name)
    values = dict(entry)
    extra_specs = values.pop('extra_specs', None) or {}
    if not isinstance(extra_specs, dict):
        raise BadArgument('--flavors-file: extra_specs of flavor %s is not '
                          'a mapping' % name)
    return flavor_from_fields(
        values, {str(k): str(v) for k, v in extra_specs.items()}, name)


def find_flavor(text, flavors_file=None, api_connection=None):
    """An inline spec, or a flavor by name.

    The name is looked up in ``flavors_file`` if given, else in Nova's
    API database at ``api_connection`` if given (``plan_flavors``).
    """
    if not text or '=' in text:
        return parse_flavor(text)
    if not flavors_file and api_connection:
        try:
            flavor = plan_flavors.find(api_connection, text)
        except plan_flavors.NotReadable as e:
            raise BadArgument('--flavor %s: %s' % (text, e))
        if flavor is None:
            raise BadArgument('--flavor %s is no flavor name or id of '
                              'Nova\'s API database' % text)
        return flavor
    if not flavors_file:
        raise BadArgument('--flavor %s: not an inline spec, and neither '
                          '--flavors-file nor [host_facts_nova_db] '
                          'api_connection to look the name up in; give %s'
                          % (text, EXAMPLE))
    try:
        with open(flavors_file) as f:
            flavors = yaml.safe_load(f) or {}
    except (OSError, yaml.YAMLError) as e:
        raise BadArgument('--flavors-file %s cannot be read: %s'
                          % (flavors_file, e))
    if not isinstance(flavors, dict):
        raise BadArgument('--flavors-file %s is not a mapping of flavor '
                          'names' % flavors_file)
    if text not in flavors:
        raise BadArgument('--flavor %s is not in %s (%d flavors)'
                          % (text, flavors_file, len(flavors)))
    return _from_file_entry(text, flavors[text])


def _image_value(value):
    return int(value) if value.isdigit() else value


def parse_image_props(items):
    """``{key: value}`` of ``KEY=VALUE`` strings; duplicates refused."""
    props = {}
    for item in items or ():
        key, sep, value = item.partition('=')
        key = key.strip()
        if not sep or not key:
            raise BadArgument('--image-prop %r is not KEY=VALUE (e.g. '
                              'hw_architecture=x86_64)' % item)
        if key in props:
            raise BadArgument('--image-prop %s given twice' % key)
        props[key] = _image_value(value.strip())
    return props


def build_spec(flavor, image_props=None, az=None, count=1, project_id=None):
    """The ``RequestSpec`` a plan sends (no instance, nothing to claim).

    With the guest NUMA topology Nova's API would derive from the flavor
    and image (``plan_numa``).
    """
    spec = request_spec.RequestSpec(
        flavor=flavor, project_id=project_id, user_id=project_id,
        num_instances=count, availability_zone=az or None,
        image=request_spec.Image(properties=dict(image_props or {})))
    try:
        spec.numa_topology = plan_numa.numa_topology(flavor, spec.image)
    except plan_numa.BadNUMA as e:
        raise BadArgument('--flavor: %s' % e)
    return spec
