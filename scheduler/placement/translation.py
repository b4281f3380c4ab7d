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

"""A request spec -> its ``GET /allocation_candidates`` query, as Nova asks.

``build_query(spec, limit)`` follows Nova's ``ResourceRequest``: flavor
extra specs (``resources[S]:RC=N``, ``trait[S]:T=required|forbidden``,
``group_policy``), the image's required traits, CPU pinning
(``hw:cpu_policy`` dedicated/mixed -> PCPU, ``hw:cpu_thread_policy`` ->
HW_CPU_HYPERTHREADING), the groups that arrive in ``requested_resources``
(ports, accelerators; suffixed by their requester id), then the flavor's
VCPU, MEMORY_MB and DISK_GB where nothing above named them, memory
encryption, persistent memory, vTPM, PCI NUMA, secure boot, maxphysaddr
and stateless firmware traits, ``requested_destination`` aggregates and
``request_level_params``. Zero amounts and groups left empty are dropped.

It never calls Placement: a destination node becomes ``in_tree`` later
(``scheduler.placement.adapter``). Malformed input raises
``InvalidRequest`` naming the key and the reason.
"""

import math

from scheduler import exception
from scheduler.placement import extra_specs as xs
from scheduler.placement import query as placement_query

VCPU = 'VCPU'
PCPU = 'PCPU'
MEMORY_MB = 'MEMORY_MB'
DISK_GB = 'DISK_GB'
HYPERTHREADING = 'HW_CPU_HYPERTHREADING'

# Scheduler hints under which Nova asks Placement for every candidate: the
# host filters that read them need to see all hosts.
UNLIMITED_HINTS = ('group', 'same_host', 'different_host')

_MEM_ENCRYPTION_TRAITS = {'amd-sev': 'HW_CPU_X86_AMD_SEV',
                          'amd-sev-es': 'HW_CPU_X86_AMD_SEV_ES'}
_MAXPHYSADDR_TRAITS = {'passthrough': 'COMPUTE_ADDRESS_SPACE_PASSTHROUGH',
                       'emulate': 'COMPUTE_ADDRESS_SPACE_EMULATED'}


def disk_gb(flavor, is_bfv=False):
    """DISK_GB of a flavor, as Nova counts it (swap is in MiB)."""
    disk = flavor.ephemeral_gb + int(math.ceil(flavor.swap / 1024.0))
    if not is_bfv:
        disk += flavor.root_gb
    return disk


def _add_trait(group, name, value, key):
    other = (group.forbidden_traits if value == xs.REQUIRED
             else group.required_traits)
    if name in other:
        raise exception.InvalidRequest(
            '%s: trait %s is both required and forbidden' % (key, name))
    (group.required_traits if value == xs.REQUIRED
     else group.forbidden_traits).add(name)


def _apply_extra_specs(query, extra_specs):
    """``resources``, ``trait`` and ``group_policy`` extra specs."""
    for key, value in sorted(extra_specs.items()):
        if key == 'group_policy':
            query.group_policy = xs.choice(
                'extra spec group_policy', value,
                placement_query.GROUP_POLICIES)
            continue
        match = xs.EXTRA_SPEC.match(key)
        if not match:
            continue
        key = 'extra spec ' + key
        group = query.group(match.group('suffix') or '')
        if match.group('prefix') == 'resources':
            name = xs.resource_class(key, match.group('name'))
            group.resources[name] = xs.amount(key, value)
        else:
            name = xs.trait(key, match.group('name'))
            xs.choice(key, value, (xs.REQUIRED, xs.FORBIDDEN))
            _add_trait(group, name, value, key)


def _cpu_policies(query, flavor, source):
    """``hw:cpu_policy``, ``hw:cpu_thread_policy``: PCPU and traits."""
    policies = ('shared', 'dedicated', 'mixed')
    flavor_policy, image_policy = source.pair('hw:cpu_policy', policies)
    policy = flavor_policy or image_policy
    if flavor_policy in ('shared', 'mixed') and image_policy in (
            'dedicated', 'mixed') and image_policy != flavor_policy:
        raise exception.InvalidRequest(
            'image property hw_cpu_policy=%s is forbidden by extra spec '
            'hw:cpu_policy=%s' % (image_policy, flavor_policy))
    thread = source.either('hw:cpu_thread_policy',
                           ('prefer', 'isolate', 'require'))
    emulator = source.spec('hw:emulator_threads_policy')
    base = query.unsuffixed
    if policy in ('dedicated', 'mixed'):
        named = {rc for group in query.groups.values()
                 for rc in group.resources} & {VCPU, PCPU}
        if named:
            raise exception.InvalidRequest(
                'extra spec hw:cpu_policy=%s: conflicts with resources:%s '
                '(the policy sets the CPU amounts)'
                % (policy, ','.join(sorted(named))))
        pcpus = flavor.vcpus
        if policy == 'mixed':
            pcpus = len(_mixed_dedicated(flavor, source))
            base.resources[VCPU] = flavor.vcpus - pcpus
        if emulator == 'isolate':
            pcpus += 1
        base.resources[PCPU] = pcpus
    if thread in ('isolate', 'require'):
        _add_trait(base, HYPERTHREADING,
                   xs.FORBIDDEN if thread == 'isolate' else xs.REQUIRED,
                   'hw:cpu_thread_policy')


def _mixed_dedicated(flavor, source):
    """The dedicated CPUs of a mixed policy, by Nova's mask rules.

    ``hw:cpu_dedicated_mask``, else the realtime mask (``hw:cpu_realtime``
    with ``hw_cpu_realtime_mask`` / ``hw:cpu_realtime_mask``). A mask
    starting with ``^`` takes the flavor's CPUs minus those.
    """
    key = 'extra spec hw:cpu_dedicated_mask'
    mask = source.spec('hw:cpu_dedicated_mask')
    if not mask and xs.flag('extra spec hw:cpu_realtime',
                            source.spec('hw:cpu_realtime') or False):
        key = 'hw:cpu_realtime_mask'
        mask = (source.prop('hw_cpu_realtime_mask') or
                source.spec('hw:cpu_realtime_mask'))
    if not mask:
        raise exception.InvalidRequest(
            'extra spec hw:cpu_policy=mixed needs hw:cpu_dedicated_mask '
            '(or hw:cpu_realtime with a realtime mask)')
    include, exclude = xs.parse_cpu_set(key, mask)
    if str(mask).strip().startswith('^'):
        include |= set(range(flavor.vcpus))
    dedicated = include - exclude
    if not dedicated or not dedicated < set(range(flavor.vcpus)):
        raise xs.invalid(key, mask, 'must name some but not all of the '
                         'flavor\'s %d CPUs' % flavor.vcpus)
    return dedicated


def _requested_groups(query, spec):
    """Groups from ports and accelerators, suffixed by their requester."""
    for group in spec.requested_resources:
        suffix = group.requester_id
        if not suffix or not xs.EXTRA_SPEC.match('resources%s:X' % suffix):
            raise exception.InvalidRequest(
                'requested_resources: requester_id %r cannot be a request '
                'group suffix (1 to 64 of a-z, A-Z, 0-9, _ and -)' % suffix)
        if suffix in query.groups:
            raise exception.InvalidRequest(
                'requested_resources: group suffix %s is used twice'
                % suffix)
        mine = query.group(suffix)
        key = 'requested_resources[%s]' % suffix
        for rc, amount in group.resources.items():
            mine.resources[xs.resource_class(key, rc)] = xs.amount(
                key, amount)
        for name in group.required_traits:
            _add_trait(mine, xs.trait(key, name), xs.REQUIRED, key)
        for name in group.forbidden_traits:
            _add_trait(mine, xs.trait(key, name), xs.FORBIDDEN, key)
        mine.member_of.extend(frozenset(aggs) for aggs in group.aggregates)
        mine.forbidden_aggregates |= set(group.forbidden_aggregates)
        mine.in_tree = group.in_tree
        if mine.is_empty():
            raise exception.InvalidRequest(
                '%s asks for nothing (no resources, traits or aggregates)'
                % key)


def _flavor_resources(query, spec):
    """VCPU, MEMORY_MB and DISK_GB where no group named them."""
    flavor = spec.flavor
    named = {rc for group in query.groups.values() for rc in group.resources}
    base = query.unsuffixed
    if VCPU not in named and PCPU not in named:
        base.resources[VCPU] = flavor.vcpus
    if MEMORY_MB not in named:
        base.resources[MEMORY_MB] = flavor.memory_mb
    if DISK_GB not in named:
        base.resources[DISK_GB] = disk_gb(flavor, spec.is_bfv)


def _device_traits(query, flavor, source):
    """Memory encryption, pmem, vTPM and other host capability traits."""
    base = query.unsuffixed
    if source.either('hw:mem_encryption', boolean=True):
        model = source.either('hw:mem_encryption_model',
                              tuple(_MEM_ENCRYPTION_TRAITS)) or 'amd-sev'
        base.resources['MEM_ENCRYPTION_CONTEXT'] = 1
        _add_trait(base, _MEM_ENCRYPTION_TRAITS[model], xs.REQUIRED,
                   'hw:mem_encryption_model')
    pmem = source.spec('hw:pmem')
    if pmem:
        for label in str(pmem).split(','):
            rc = xs.custom_name('PMEM_NAMESPACE_', label.strip())
            base.resources[rc] = base.resources.get(rc, 0) + 1
    version = source.either('hw:tpm_version', ('1.2', '2.0'))
    if version:
        model = source.either('hw:tpm_model', ('tpm-tis', 'tpm-crb'))
        if version == '1.2' and model == 'tpm-crb':
            raise exception.InvalidRequest(
                'hw:tpm_model=tpm-crb needs hw:tpm_version=2.0')
        base.required_traits.add('COMPUTE_SECURITY_TPM_' +
                                 version.replace('.', '_'))
        base.required_traits.add('COMPUTE_SECURITY_TPM_CRB'
                                 if model == 'tpm-crb'
                                 else 'COMPUTE_SECURITY_TPM_TIS')
    numa = source.either('hw:pci_numa_affinity_policy')
    if numa == 'socket':
        base.required_traits.add('COMPUTE_SOCKET_PCI_NUMA_AFFINITY')
    boot = source.either('os:secure_boot', ('required', 'disabled',
                                            'optional'))
    if boot == 'required':
        base.required_traits.add('COMPUTE_SECURITY_UEFI_SECURE_BOOT')
    mode = source.either('hw:maxphysaddr_mode', tuple(_MAXPHYSADDR_TRAITS))
    if mode:
        base.required_traits.add(_MAXPHYSADDR_TRAITS[mode])
    stateless = source.prop('hw_firmware_stateless')
    if stateless is not None and xs.flag('image property '
                                         'hw_firmware_stateless', stateless):
        base.required_traits.add('COMPUTE_SECURITY_STATELESS_FIRMWARE')


def _destination(query, spec):
    destination = spec.requested_destination
    if destination is None:
        return
    base = query.unsuffixed
    # Nova's form: each item is "aggA,aggB" (either), items all required.
    for item in destination.aggregates:
        aggs = frozenset(a for a in item.split(',') if a)
        if aggs:
            base.member_of.append(aggs)
    base.forbidden_aggregates |= set(destination.forbidden_aggregates)


def _strip_and_check(query, spec, flavor_suffixes):
    for group in query.groups.values():
        for rc in [rc for rc, n in group.resources.items() if not n]:
            del group.resources[rc]
    for suffix in [s for s, g in query.groups.items() if g.is_empty()]:
        del query.groups[suffix]
    for suffix, group in query.groups.items():
        if suffix and not group.resources:
            raise exception.InvalidRequest(
                'request group %s has traits or aggregates but no '
                'resources (Placement refuses such a group)' % suffix)
    suffixed = query.suffixed()
    if len(suffixed) > 1 and not query.group_policy:
        if len([s for s in suffixed if s in flavor_suffixes]) > 1:
            raise exception.InvalidRequest(
                'extra spec group_policy is missing: the flavor defines '
                'request groups %s; set group_policy to none or isolate'
                % ', '.join(sorted(suffixed)))
        # Groups from ports: Nova defaults the policy to none.
        query.group_policy = 'none'


def build_query(spec, limit):
    """The ``AllocationCandidatesQuery`` of ``spec`` (a RequestSpec).

    :param limit: ``limit`` of the query; None asks for every candidate.
    :raises: InvalidRequest naming the malformed key and why.
    """
    flavor = spec.flavor
    source = xs.Source(flavor, spec.image)
    query = placement_query.AllocationCandidatesQuery(limit=limit)
    _apply_extra_specs(query, flavor.extra_specs or {})
    flavor_suffixes = set(query.suffixed())
    for name in sorted(source.image_traits()):
        _add_trait(query.unsuffixed, name, xs.REQUIRED,
                   'image property trait:' + name)
    _cpu_policies(query, flavor, source)
    _requested_groups(query, spec)
    _flavor_resources(query, spec)
    _device_traits(query, flavor, source)
    _destination(query, spec)
    params = spec.request_level_params
    if params is not None:
        query.root_required |= set(params.root_required)
        query.root_forbidden |= set(params.root_forbidden)
        query.same_subtree.extend(list(s) for s in params.same_subtree)
    if any(hint in (spec.scheduler_hints or {}) for hint in UNLIMITED_HINTS):
        query.limit = None
    _strip_and_check(query, spec, flavor_suffixes)
    return query
