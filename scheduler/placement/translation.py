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

``build_query(spec, limit)`` follows Nova's ``ResourceRequest``. The
extra specs and image properties are read first, into typed values
(``extra_specs.parse``); the query is assembled from them: flavor
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


def _extra_spec_groups(query, parsed):
    """``resources[S]``, ``trait[S]`` and ``group_policy`` extra specs."""
    for suffix, specs in parsed.groups.items():
        group = query.group(suffix)
        group.resources.update(specs.resources)
        for name, value, key in specs.traits:
            _add_trait(group, name, value, key)
    query.group_policy = parsed.group_policy


def _cpu_policies(query, flavor, parsed):
    """``hw:cpu_policy``, ``hw:cpu_thread_policy``: PCPU and traits."""
    policy = parsed.cpu_policy
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
            pcpus = parsed.dedicated_cpus
            base.resources[VCPU] = flavor.vcpus - pcpus
        if parsed.emulator_threads_isolated:
            pcpus += 1
        base.resources[PCPU] = pcpus
    thread = parsed.cpu_thread_policy
    if thread in ('isolate', 'require'):
        _add_trait(base, HYPERTHREADING,
                   xs.FORBIDDEN if thread == 'isolate' else xs.REQUIRED,
                   'hw:cpu_thread_policy')


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


def _device_traits(query, parsed):
    """Memory encryption, pmem, vTPM and other host capability traits."""
    base = query.unsuffixed
    if parsed.mem_encryption_model:
        base.resources['MEM_ENCRYPTION_CONTEXT'] = 1
        _add_trait(base, _MEM_ENCRYPTION_TRAITS[parsed.mem_encryption_model],
                   xs.REQUIRED, 'hw:mem_encryption_model')
    for rc in parsed.pmem_namespaces:
        base.resources[rc] = base.resources.get(rc, 0) + 1
    if parsed.tpm:
        version, model = parsed.tpm
        base.required_traits.add('COMPUTE_SECURITY_TPM_' +
                                 version.replace('.', '_'))
        base.required_traits.add('COMPUTE_SECURITY_TPM_CRB'
                                 if model == 'tpm-crb'
                                 else 'COMPUTE_SECURITY_TPM_TIS')
    if parsed.pci_numa_affinity_policy == 'socket':
        base.required_traits.add('COMPUTE_SOCKET_PCI_NUMA_AFFINITY')
    if parsed.secure_boot == 'required':
        base.required_traits.add('COMPUTE_SECURITY_UEFI_SECURE_BOOT')
    if parsed.maxphysaddr_mode:
        base.required_traits.add(
            _MAXPHYSADDR_TRAITS[parsed.maxphysaddr_mode])
    if parsed.firmware_stateless:
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
    parsed = xs.parse(flavor, spec.image)
    query = placement_query.AllocationCandidatesQuery(limit=limit)
    _extra_spec_groups(query, parsed)
    flavor_suffixes = set(query.suffixed())
    for name in sorted(parsed.image_traits):
        _add_trait(query.unsuffixed, name, xs.REQUIRED,
                   'image property trait:' + name)
    _cpu_policies(query, flavor, parsed)
    _requested_groups(query, spec)
    _flavor_resources(query, spec)
    _device_traits(query, parsed)
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
