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

"""A flavor, image and spec -> the exact query string sent to Placement.

One case a line: what it proves, the request, the query string. Written
from Nova's documented behaviour (flavor extra specs, image properties,
Placement's GET /allocation_candidates). Every flavor has 2 VCPU, 2048 MB
and a 20 GB root disk unless the case says otherwise; limit is 1000.
"""

import pytest

from scheduler import exception
from scheduler.objects import request_spec as rs
from scheduler.placement import translation

B = 'DISK_GB:20,MEMORY_MB:2048,VCPU:2'  # the default flavor's resources
L = '&limit=1000'


def S(xs=None, img=None, vcpus=2, memory_mb=2048, root_gb=20,
      ephemeral_gb=0, swap=0, **kwargs):
    """A request spec: flavor extra specs ``xs``, image properties ``img``."""
    flavor = rs.Flavor(vcpus=vcpus, memory_mb=memory_mb, root_gb=root_gb,
                       ephemeral_gb=ephemeral_gb, swap=swap, name='f',
                       extra_specs=xs or {})
    return rs.RequestSpec(flavor=flavor, image=rs.Image(properties=img or {}),
                          **kwargs)


def G(requester_id, **kwargs):
    """A request group of ``requested_resources`` (a port, a device)."""
    return rs.RequestGroup(requester_id=requester_id, **kwargs)


R = rs.RequestLevelParams
D = rs.Destination
PORT = 'port-a'

CASES = [
    # -- the flavor's own amounts
    ('flavor amounts', S(), 'resources=' + B + L),
    ('ephemeral and swap add to the root disk, swap rounded up to GiB', S(root_gb=10, ephemeral_gb=5, swap=1025), 'resources=DISK_GB:17,MEMORY_MB:2048,VCPU:2' + L),  # noqa: E501
    ('boot from volume drops the root disk', S(is_bfv=True), 'resources=MEMORY_MB:2048,VCPU:2' + L),  # noqa: E501
    ('boot from volume keeps ephemeral and swap', S(ephemeral_gb=1, swap=512, is_bfv=True), 'resources=DISK_GB:2,MEMORY_MB:2048,VCPU:2' + L),  # noqa: E501
    ('zero flavor amounts are left out', S(root_gb=0, memory_mb=0), 'resources=VCPU:2' + L),  # noqa: E501
    # -- resources[S]:RC=N
    ('resources:VCPU=0 drops VCPU', S({'resources:VCPU': '0'}), 'resources=DISK_GB:20,MEMORY_MB:2048' + L),  # noqa: E501
    ('resources:VCPU=N overrides the flavor', S({'resources:VCPU': '8'}), 'resources=DISK_GB:20,MEMORY_MB:2048,VCPU:8' + L),  # noqa: E501
    ('resources:DISK_GB overrides root+ephemeral', S({'resources:DISK_GB': '5'}, ephemeral_gb=3), 'resources=DISK_GB:5,MEMORY_MB:2048,VCPU:2' + L),  # noqa: E501
    ('ironic: a custom class and the standard ones zeroed', S({'resources:CUSTOM_BAREMETAL_GOLD': '1', 'resources:VCPU': '0', 'resources:MEMORY_MB': '0', 'resources:DISK_GB': '0'}), 'resources=CUSTOM_BAREMETAL_GOLD:1' + L),  # noqa: E501
    ('an extra standard class joins the flavor', S({'resources:VGPU': '1'}), 'resources=' + B + ',VGPU:1' + L),  # noqa: E501
    ('a class in a numbered group leaves the unsuffixed one', S({'resources1:VCPU': '2'}), 'resources=DISK_GB:20,MEMORY_MB:2048&resources1=VCPU:2' + L),  # noqa: E501
    ('resources:PCPU replaces VCPU', S({'resources:PCPU': '2'}), 'resources=DISK_GB:20,MEMORY_MB:2048,PCPU:2' + L),  # noqa: E501
    # -- trait[S]:T=required|forbidden
    ('required and forbidden traits, required first', S({'trait:HW_CPU_X86_AVX2': 'required', 'trait:CUSTOM_GOLD': 'required', 'trait:COMPUTE_STATUS_DISABLED': 'forbidden'}), 'resources=' + B + '&required=CUSTOM_GOLD,HW_CPU_X86_AVX2,!COMPUTE_STATUS_DISABLED' + L),  # noqa: E501
    ('extra specs of other consumers are ignored', S({'aggregate_instance_extra_specs:ssd': 'true', 'quota:cpu_shares': '10', 'hw:cpu_policy': 'shared'}), 'resources=' + B + L),  # noqa: E501
    # -- granular groups and group_policy
    ('numbered groups with their traits, isolate', S({'resources1:SRIOV_NET_VF': '1', 'trait1:CUSTOM_PHYSNET_A': 'required', 'resources2:SRIOV_NET_VF': '1', 'trait2:CUSTOM_PHYSNET_B': 'required', 'group_policy': 'isolate'}), 'resources=' + B + '&resources1=SRIOV_NET_VF:1&required1=CUSTOM_PHYSNET_A&resources2=SRIOV_NET_VF:1&required2=CUSTOM_PHYSNET_B&group_policy=isolate' + L),  # noqa: E501
    ('group_policy none', S({'resources1:VGPU': '1', 'resources2:VGPU': '1', 'group_policy': 'none'}), 'resources=' + B + '&resources1=VGPU:1&resources2=VGPU:1&group_policy=none' + L),  # noqa: E501
    ('one numbered group needs no group_policy', S({'resources1:VGPU': '1'}), 'resources=' + B + '&resources1=VGPU:1' + L),  # noqa: E501
    ('numbered groups sort numerically, named ones last', S({'resources10:VGPU': '1', 'resources2:VGPU': '1', 'resources_NIC:SRIOV_NET_VF': '1', 'group_policy': 'none'}), 'resources=' + B + '&resources2=VGPU:1&resources10=VGPU:1&resources_NIC=SRIOV_NET_VF:1&group_policy=none' + L),  # noqa: E501
    ('a string suffix without underscore (Placement 1.33)', S({'resourcesGPU:VGPU': '1', 'traitGPU:CUSTOM_NV': 'required'}), 'resources=' + B + '&resourcesGPU=VGPU:1&requiredGPU=CUSTOM_NV' + L),  # noqa: E501
    ('a numbered group left empty by a zero is dropped', S({'resources1:VGPU': '0'}), 'resources=' + B + L),  # noqa: E501
    ('forbidden trait in a numbered group', S({'resources1:VGPU': '1', 'trait1:CUSTOM_SLOW': 'forbidden'}), 'resources=' + B + '&resources1=VGPU:1&required1=!CUSTOM_SLOW' + L),  # noqa: E501
    # -- CPU pinning
    ('hw:cpu_policy=dedicated asks PCPU for VCPU', S({'hw:cpu_policy': 'dedicated'}), 'resources=DISK_GB:20,MEMORY_MB:2048,PCPU:2' + L),  # noqa: E501
    ('image hw_cpu_policy=dedicated asks PCPU', S(img={'hw_cpu_policy': 'dedicated'}), 'resources=DISK_GB:20,MEMORY_MB:2048,PCPU:2' + L),  # noqa: E501
    ('dedicated with isolated emulator threads asks one PCPU more', S({'hw:cpu_policy': 'dedicated', 'hw:emulator_threads_policy': 'isolate'}), 'resources=DISK_GB:20,MEMORY_MB:2048,PCPU:3' + L),  # noqa: E501
    ('mixed policy splits VCPU and PCPU by the dedicated mask', S({'hw:cpu_policy': 'mixed', 'hw:cpu_dedicated_mask': '^0'}, vcpus=4), 'resources=DISK_GB:20,MEMORY_MB:2048,PCPU:3,VCPU:1' + L),  # noqa: E501
    ('a dedicated mask without ^ names the dedicated CPUs', S({'hw:cpu_policy': 'mixed', 'hw:cpu_dedicated_mask': '2-3'}, vcpus=4), 'resources=DISK_GB:20,MEMORY_MB:2048,PCPU:2,VCPU:2' + L),  # noqa: E501
    ('a ^ mask starts from every CPU, exclusions win', S({'hw:cpu_policy': 'mixed', 'hw:cpu_dedicated_mask': '^0-1,1'}, vcpus=4), 'resources=DISK_GB:20,MEMORY_MB:2048,PCPU:2,VCPU:2' + L),  # noqa: E501
    ('mixed policy by the realtime mask', S({'hw:cpu_policy': 'mixed', 'hw:cpu_realtime': 'yes', 'hw:cpu_realtime_mask': '^0'}, vcpus=4), 'resources=DISK_GB:20,MEMORY_MB:2048,PCPU:3,VCPU:1' + L),  # noqa: E501
    ('hw:cpu_thread_policy=isolate forbids hyperthreading', S({'hw:cpu_policy': 'dedicated', 'hw:cpu_thread_policy': 'isolate'}), 'resources=DISK_GB:20,MEMORY_MB:2048,PCPU:2&required=!HW_CPU_HYPERTHREADING' + L),  # noqa: E501
    ('hw:cpu_thread_policy=require requires hyperthreading', S({'hw:cpu_policy': 'dedicated', 'hw:cpu_thread_policy': 'require'}), 'resources=DISK_GB:20,MEMORY_MB:2048,PCPU:2&required=HW_CPU_HYPERTHREADING' + L),  # noqa: E501
    ('hw:cpu_thread_policy=prefer asks nothing', S({'hw:cpu_policy': 'dedicated', 'hw:cpu_thread_policy': 'prefer'}), 'resources=DISK_GB:20,MEMORY_MB:2048,PCPU:2' + L),  # noqa: E501
    # -- image properties
    ('image traits_required join the unsuffixed group', S(img={'traits_required': ['HW_CPU_X86_AVX2', 'CUSTOM_X']}), 'resources=' + B + '&required=CUSTOM_X,HW_CPU_X86_AVX2' + L),  # noqa: E501
    ('glance trait:T=required image property (legacy dicts)', S(img={'trait:CUSTOM_X': 'required'}), 'resources=' + B + '&required=CUSTOM_X' + L),  # noqa: E501
    ('flavor and image traits merge', S({'trait:CUSTOM_A': 'required'}, img={'traits_required': ['CUSTOM_B']}), 'resources=' + B + '&required=CUSTOM_A,CUSTOM_B' + L),  # noqa: E501
    # -- device and security features
    ('memory encryption asks a context and the SEV trait', S({'hw:mem_encryption': 'true'}), 'resources=DISK_GB:20,MEMORY_MB:2048,MEM_ENCRYPTION_CONTEXT:1,VCPU:2&required=HW_CPU_X86_AMD_SEV' + L),  # noqa: E501
    ('image hw_mem_encryption with the SEV-ES model', S(img={'hw_mem_encryption': True, 'hw_mem_encryption_model': 'amd-sev-es'}), 'resources=DISK_GB:20,MEMORY_MB:2048,MEM_ENCRYPTION_CONTEXT:1,VCPU:2&required=HW_CPU_X86_AMD_SEV_ES' + L),  # noqa: E501
    ('persistent memory namespaces by label', S({'hw:pmem': 'SMALL,SMALL,large'}), 'resources=CUSTOM_PMEM_NAMESPACE_LARGE:1,CUSTOM_PMEM_NAMESPACE_SMALL:2,' + B + L),  # noqa: E501
    ('vTPM 2.0 CRB', S({'hw:tpm_version': '2.0', 'hw:tpm_model': 'tpm-crb'}), 'resources=' + B + '&required=COMPUTE_SECURITY_TPM_2_0,COMPUTE_SECURITY_TPM_CRB' + L),  # noqa: E501
    ('vTPM from the image defaults to TIS', S(img={'hw_tpm_version': '1.2'}), 'resources=' + B + '&required=COMPUTE_SECURITY_TPM_1_2,COMPUTE_SECURITY_TPM_TIS' + L),  # noqa: E501
    ('secure boot required', S(img={'os_secure_boot': 'required'}), 'resources=' + B + '&required=COMPUTE_SECURITY_UEFI_SECURE_BOOT' + L),  # noqa: E501
    ('socket PCI NUMA affinity', S({'hw:pci_numa_affinity_policy': 'socket'}), 'resources=' + B + '&required=COMPUTE_SOCKET_PCI_NUMA_AFFINITY' + L),  # noqa: E501
    ('maxphysaddr passthrough', S({'hw:maxphysaddr_mode': 'passthrough'}), 'resources=' + B + '&required=COMPUTE_ADDRESS_SPACE_PASSTHROUGH' + L),  # noqa: E501
    ('stateless firmware', S(img={'hw_firmware_stateless': True}), 'resources=' + B + '&required=COMPUTE_SECURITY_STATELESS_FIRMWARE' + L),  # noqa: E501
    # -- requested_resources (ports, accelerators)
    ('a port group is suffixed by its requester id', S(requested_resources=[G(PORT, resources={'NET_BW_EGR_KILOBIT_PER_SEC': 1000}, required_traits={'CUSTOM_PHYSNET_NET1'})]), 'resources=' + B + '&resourcesport-a=NET_BW_EGR_KILOBIT_PER_SEC:1000&requiredport-a=CUSTOM_PHYSNET_NET1' + L),  # noqa: E501
    ('two port groups default group_policy to none', S(requested_resources=[G('p1', resources={'NET_BW_IGR_KILOBIT_PER_SEC': 1}), G('p2', resources={'NET_BW_IGR_KILOBIT_PER_SEC': 2})]), 'resources=' + B + '&resourcesp1=NET_BW_IGR_KILOBIT_PER_SEC:1&resourcesp2=NET_BW_IGR_KILOBIT_PER_SEC:2&group_policy=none' + L),  # noqa: E501
    ('a flavor group and a port group default to none', S({'resources1:VGPU': '1'}, requested_resources=[G('p1', resources={'SRIOV_NET_VF': 1})]), 'resources=' + B + '&resources1=VGPU:1&resourcesp1=SRIOV_NET_VF:1&group_policy=none' + L),  # noqa: E501
    ('a port group keeps its aggregates and in_tree', S(requested_resources=[G('p1', resources={'SRIOV_NET_VF': 1}, aggregates=[['a2', 'a1']], in_tree='rp1')]), 'resources=' + B + '&resourcesp1=SRIOV_NET_VF:1&member_ofp1=in:a1,a2&in_treep1=rp1' + L),  # noqa: E501
    # -- requested_destination and request level params
    ('destination aggregates: either of an item, all items', S(requested_destination=D(aggregates=['a2,a1', 'a3'])), 'resources=' + B + '&member_of=in:a1,a2&member_of=in:a3' + L),  # noqa: E501
    ('destination forbidden aggregates', S(requested_destination=D(forbidden_aggregates={'a9', 'a8'})), 'resources=' + B + '&member_of=!in:a8,a9' + L),  # noqa: E501
    ('root_required and root_forbidden', S(request_level_params=R(root_required={'COMPUTE_NODE'}, root_forbidden={'CUSTOM_WINDOWS'})), 'resources=' + B + '&root_required=COMPUTE_NODE,!CUSTOM_WINDOWS' + L),  # noqa: E501
    ('same_subtree of two groups', S({'resources_A:VGPU': '1', 'resources_B:SRIOV_NET_VF': '1', 'group_policy': 'none'}, request_level_params=R(same_subtree=[['_A', '_B']])), 'resources=' + B + '&resources_A=VGPU:1&resources_B=SRIOV_NET_VF:1&group_policy=none&same_subtree=_A,_B' + L),  # noqa: E501
    # -- limit
    ('an affinity group asks every candidate', S(scheduler_hints={'group': ['g1']}), 'resources=' + B),  # noqa: E501
    ('different_host asks every candidate', S(scheduler_hints={'different_host': ['i1']}), 'resources=' + B),  # noqa: E501
    ('other hints keep the limit', S(scheduler_hints={'build_near_host_ip': ['1.2.3.4']}), 'resources=' + B + L),  # noqa: E501
]


@pytest.mark.parametrize('case,spec,expected', CASES,
                         ids=[c[0] for c in CASES])
def test_query_string_of_request(case, spec, expected):
    assert translation.build_query(spec, 1000).to_query_string() == expected


def test_there_are_at_least_forty_cases():
    assert len(CASES) >= 40
    assert len({c[0] for c in CASES}) == len(CASES)


# (what is malformed, the request, words the refusal must contain)
INVALID = [
    ('non-integer amount', S({'resources:VCPU': 'two'}), 'extra spec resources:VCPU=two: a resource amount must be an integer'),  # noqa: E501
    ('negative amount', S({'resources:VCPU': '-1'}), 'resources:VCPU=-1'),  # noqa: E501
    ('amount beyond Placement\'s integers', S({'resources:VCPU': str(2 ** 31)}), 'from 0 to 2147483647'),  # noqa: E501
    ('lower case resource class', S({'resources:vcpu': '1'}), "extra spec resources:vcpu: 'vcpu' is not a standard resource class"),  # noqa: E501
    ('unknown standard resource class', S({'resources:GOLD': '1'}), "'GOLD' is not a standard resource class"),  # noqa: E501
    ('empty resource class', S({'resources1:': '1'}), 'extra spec resources1:'),  # noqa: E501
    ('unknown standard trait', S({'trait:HW_CPU_X86_NOPE': 'required'}), "extra spec trait:HW_CPU_X86_NOPE: 'HW_CPU_X86_NOPE' is not a standard trait"),  # noqa: E501
    ('bad custom trait', S({'trait:CUSTOM_a-b': 'required'}), 'CUSTOM_a-b'),  # noqa: E501
    ('trait value neither required nor forbidden', S({'trait:CUSTOM_GOLD': 'preferred'}), 'extra spec trait:CUSTOM_GOLD=preferred: must be one of required, forbidden'),  # noqa: E501
    ('trait both required and forbidden', S({'trait:CUSTOM_A': 'forbidden'}, img={'traits_required': ['CUSTOM_A']}), 'trait CUSTOM_A is both required and forbidden'),  # noqa: E501
    ('bad group_policy', S({'group_policy': 'spread'}), 'extra spec group_policy=spread: must be one of none, isolate'),  # noqa: E501
    ('two flavor groups without group_policy', S({'resources1:VGPU': '1', 'resources2:VGPU': '1'}), 'extra spec group_policy is missing'),  # noqa: E501
    ('a numbered group with traits only', S({'trait1:CUSTOM_A': 'required'}), 'request group 1 has traits or aggregates but no resources'),  # noqa: E501
    ('image trait not required', S(img={'trait:CUSTOM_A': 'forbidden'}), 'image property trait:CUSTOM_A=forbidden: an image can only require a trait'),  # noqa: E501
    ('bad image trait name', S(img={'traits_required': ['nope']}), "image property traits_required: 'nope'"),  # noqa: E501
    ('bad cpu policy', S({'hw:cpu_policy': 'pinned'}), 'hw:cpu_policy=pinned: must be one of shared, dedicated, mixed'),  # noqa: E501
    ('image pins a shared flavor', S({'hw:cpu_policy': 'shared'}, img={'hw_cpu_policy': 'dedicated'}), 'image property hw_cpu_policy=dedicated is forbidden by extra spec hw:cpu_policy=shared'),  # noqa: E501
    ('thread policies of flavor and image differ', S({'hw:cpu_thread_policy': 'isolate'}, img={'hw_cpu_thread_policy': 'require'}), 'extra spec hw:cpu_thread_policy=isolate conflicts with image property hw_cpu_thread_policy=require'),  # noqa: E501
    ('dedicated CPUs and resources:VCPU', S({'hw:cpu_policy': 'dedicated', 'resources:VCPU': '2'}), 'hw:cpu_policy=dedicated: conflicts with resources:VCPU'),  # noqa: E501
    ('mixed policy without a mask', S({'hw:cpu_policy': 'mixed'}), 'hw:cpu_policy=mixed needs hw:cpu_dedicated_mask'),  # noqa: E501
    ('mixed mask naming every CPU', S({'hw:cpu_policy': 'mixed', 'hw:cpu_dedicated_mask': '0-1'}), 'hw:cpu_dedicated_mask=0-1: must name some but not all'),  # noqa: E501
    ('mixed mask naming a CPU the flavor lacks', S({'hw:cpu_policy': 'mixed', 'hw:cpu_dedicated_mask': '1-2'}), 'hw:cpu_dedicated_mask=1-2: must name some but not all of the flavor\'s 2 CPUs'),  # noqa: E501
    ('mixed mask that is not a CPU set', S({'hw:cpu_policy': 'mixed', 'hw:cpu_dedicated_mask': 'x'}), 'hw:cpu_dedicated_mask=x: is not a CPU set'),  # noqa: E501
    ('non-boolean memory encryption', S({'hw:mem_encryption': 'maybe'}), 'hw:mem_encryption=maybe: must be a boolean'),  # noqa: E501
    ('bad TPM version', S({'hw:tpm_version': '3.0'}), 'hw:tpm_version=3.0: must be one of 1.2, 2.0'),  # noqa: E501
    ('a port group without requester id', S(requested_resources=[G(None, resources={'VGPU': 1})]), 'requested_resources: requester_id None'),  # noqa: E501
    ('a port group asking nothing', S(requested_resources=[G('p1')]), 'requested_resources[p1] asks for nothing'),  # noqa: E501
    ('a port group reusing a flavor suffix', S({'resources1:VGPU': '1'}, requested_resources=[G('1', resources={'VGPU': 1})]), 'group suffix 1 is used twice'),  # noqa: E501
]


@pytest.mark.parametrize('case,spec,message', INVALID,
                         ids=[c[0] for c in INVALID])
def test_malformed_request_is_refused_naming_key_and_reason(
        case, spec, message):
    with pytest.raises(exception.InvalidRequest) as ctx:
        translation.build_query(spec, 10)
    assert message in ctx.value.reason
