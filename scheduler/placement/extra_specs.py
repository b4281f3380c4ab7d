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

``parse(flavor, image)`` reads everything the Placement query is built from
into one ``ParsedSpecs`` of typed values, before the query is assembled
(``scheduler.placement.translation``). Request filters read the keys of
their own through ``Source``.
"""

import dataclasses
import re

import os_resource_classes
import os_traits
from oslo_utils import strutils

from scheduler import exception
from scheduler.placement import query as placement_query

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


CPU_POLICIES = ('shared', 'dedicated', 'mixed')
CPU_THREAD_POLICIES = ('prefer', 'isolate', 'require')
MEM_ENCRYPTION_MODELS = ('amd-sev', 'amd-sev-es')
TPM_VERSIONS = ('1.2', '2.0')
TPM_MODELS = ('tpm-tis', 'tpm-crb')
SECURE_BOOT = ('required', 'disabled', 'optional')
MAXPHYSADDR_MODES = ('passthrough', 'emulate')


@dataclasses.dataclass
class GroupSpecs:
    """``resources[S]:RC=N`` and ``trait[S]:T=...`` of one suffix."""

    resources: dict = dataclasses.field(default_factory=dict)
    # (trait, REQUIRED or FORBIDDEN, the extra spec key) in key order.
    traits: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class ParsedSpecs:
    """What the query is built from, read from extra specs and image.

    ``groups``: suffix ('' unsuffixed) -> ``GroupSpecs``, in key order.
    ``cpu_policy`` is the policy in force (the flavor's, else the
    image's); ``dedicated_cpus`` the dedicated CPUs of a mixed policy.
    ``tpm``: (version, model) or None. Unset values are None.
    """

    groups: dict = dataclasses.field(default_factory=dict)
    group_policy: str | None = None
    image_traits: frozenset = frozenset()
    cpu_policy: str | None = None
    cpu_thread_policy: str | None = None
    emulator_threads_isolated: bool = False
    dedicated_cpus: int | None = None
    mem_encryption_model: str | None = None
    pmem_namespaces: list = dataclasses.field(default_factory=list)
    tpm: tuple | None = None
    pci_numa_affinity_policy: str | None = None
    secure_boot: str | None = None
    maxphysaddr_mode: str | None = None
    firmware_stateless: bool = False


def _groups(extra_specs):
    groups, policy = {}, None
    for key, value in sorted(extra_specs.items()):
        if key == 'group_policy':
            policy = choice('extra spec group_policy', value,
                            placement_query.GROUP_POLICIES)
            continue
        match = EXTRA_SPEC.match(key)
        if not match:
            continue
        key = 'extra spec ' + key
        group = groups.setdefault(match.group('suffix') or '', GroupSpecs())
        if match.group('prefix') == 'resources':
            group.resources[resource_class(key, match.group('name'))] = (
                amount(key, value))
        else:
            name = trait(key, match.group('name'))
            group.traits.append(
                (name, choice(key, value, (REQUIRED, FORBIDDEN)), key))
    return groups, policy


def _cpu_policy(source):
    flavor_policy, image_policy = source.pair('hw:cpu_policy', CPU_POLICIES)
    if flavor_policy in ('shared', 'mixed') and image_policy in (
            'dedicated', 'mixed') and image_policy != flavor_policy:
        raise exception.InvalidRequest(
            'image property hw_cpu_policy=%s is forbidden by extra spec '
            'hw:cpu_policy=%s' % (image_policy, flavor_policy))
    return flavor_policy or image_policy


def _mixed_dedicated(flavor, source):
    """The dedicated CPUs of a mixed policy, by Nova's mask rules.

    ``hw:cpu_dedicated_mask``, else the realtime mask (``hw:cpu_realtime``
    with ``hw_cpu_realtime_mask`` / ``hw:cpu_realtime_mask``). A mask
    starting with ``^`` takes the flavor's CPUs minus those.
    """
    key = 'extra spec hw:cpu_dedicated_mask'
    mask = source.spec('hw:cpu_dedicated_mask')
    if not mask and flag('extra spec hw:cpu_realtime',
                         source.spec('hw:cpu_realtime') or False):
        key = 'hw:cpu_realtime_mask'
        mask = (source.prop('hw_cpu_realtime_mask') or
                source.spec('hw:cpu_realtime_mask'))
    if not mask:
        raise exception.InvalidRequest(
            'extra spec hw:cpu_policy=mixed needs hw:cpu_dedicated_mask '
            '(or hw:cpu_realtime with a realtime mask)')
    include, exclude = parse_cpu_set(key, mask)
    if str(mask).strip().startswith('^'):
        include |= set(range(flavor.vcpus))
    dedicated = include - exclude
    if not dedicated or not dedicated < set(range(flavor.vcpus)):
        raise invalid(key, mask, 'must name some but not all of the '
                      'flavor\'s %d CPUs' % flavor.vcpus)
    return dedicated


def _tpm(source):
    version = source.either('hw:tpm_version', TPM_VERSIONS)
    if not version:
        return None
    model = source.either('hw:tpm_model', TPM_MODELS)
    if version == '1.2' and model == 'tpm-crb':
        raise exception.InvalidRequest(
            'hw:tpm_model=tpm-crb needs hw:tpm_version=2.0')
    return version, model


def parse(flavor, image):
    """The ``ParsedSpecs`` of a flavor and an image (None: no image).

    :raises: InvalidRequest naming the malformed key and why.
    """
    source = Source(flavor, image)
    groups, group_policy = _groups(source.extra_specs)
    parsed = ParsedSpecs(groups=groups, group_policy=group_policy,
                         image_traits=frozenset(source.image_traits()))
    parsed.cpu_policy = _cpu_policy(source)
    parsed.cpu_thread_policy = source.either('hw:cpu_thread_policy',
                                             CPU_THREAD_POLICIES)
    parsed.emulator_threads_isolated = (
        source.spec('hw:emulator_threads_policy') == 'isolate')
    if parsed.cpu_policy == 'mixed':
        parsed.dedicated_cpus = len(_mixed_dedicated(flavor, source))
    if source.either('hw:mem_encryption', boolean=True):
        parsed.mem_encryption_model = source.either(
            'hw:mem_encryption_model', MEM_ENCRYPTION_MODELS) or 'amd-sev'
    pmem = source.spec('hw:pmem')
    if pmem:
        parsed.pmem_namespaces = [
            custom_name('PMEM_NAMESPACE_', label.strip())
            for label in str(pmem).split(',')]
    parsed.tpm = _tpm(source)
    parsed.pci_numa_affinity_policy = source.either(
        'hw:pci_numa_affinity_policy')
    parsed.secure_boot = source.either('os:secure_boot', SECURE_BOOT)
    parsed.maxphysaddr_mode = source.either('hw:maxphysaddr_mode',
                                            MAXPHYSADDR_MODES)
    stateless = source.prop('hw_firmware_stateless')
    parsed.firmware_stateless = stateless is not None and flag(
        'image property hw_firmware_stateless', stateless)
    return parsed
