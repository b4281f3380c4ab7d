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

"""ImagePropertiesFilter: hosts that support the image's architecture,
hypervisor type and VM mode.

As in Nova: the image properties ``hw_architecture`` (default
``[filter_scheduler] image_properties_default_architecture``),
``img_hv_type`` and ``hw_vm_mode``, canonicalised (``amd64`` is
``x86_64``, ``xapi`` is ``xen``, ``hv`` is ``hvm``...), must all appear in
one of the host's ``supported_instances`` triples; then
``img_hv_requested_version`` (e.g. ``>=6.0``) must hold for the host's
hypervisor version and ``hw_maxphysaddr_bits`` must not exceed the host's
``cpu_info.maxphysaddr.bits`` (each checked only when both sides are
known; a version requirement that does not parse is met by no host). An
image asking for none of the three passes everywhere.

Facts missing: a host reporting no ``supported_instances`` fails when the
image asks for any of the three (as Nova); a host without compute details
fails closed (``compute_facts``).
"""

import numpy as np
from oslo_serialization import jsonutils
from oslo_utils import versionutils

from scheduler.filters import base
from scheduler.filters import compute_facts
from scheduler.host_state import columns

_ARCH_ALIASES = {'i386': 'i686', 'i486': 'i686', 'i586': 'i686',
                 'x86_32': 'i686', 'x86_32p': 'i686', 'amd64': 'x86_64'}
_HV_ALIASES = {'xapi': 'xen'}
_VM_MODE_ALIASES = {'pv': 'xen', 'hv': 'hvm', 'baremetal': 'hvm'}


def _canonical(value, aliases):
    if value is None:
        return None
    value = str(value).lower()
    return aliases.get(value, value)


def _host_key(compute):
    """What this filter reads of a host's ``ComputeFacts`` (or None).

    Hashable, and kept with the record: hosts with equal keys are judged
    once.
    """
    if compute is None:
        return None
    key = compute.derived.get(__name__)
    if key is None:
        cpu_info = compute.cpu_info
        if isinstance(cpu_info, str):
            # As Nova stores it; sources normally hand it over decoded.
            try:
                cpu_info = jsonutils.loads(cpu_info)
            except ValueError:
                cpu_info = None
        if not isinstance(cpu_info, dict):
            cpu_info = {}
        maxphysaddr = cpu_info.get('maxphysaddr')
        bits = (maxphysaddr.get('bits') if isinstance(maxphysaddr, dict)
                else None)
        key = compute.derived[__name__] = columns.frozen(
            (compute.supported_instances, compute.hypervisor_version, bits))
    return key


def _version_ok(hypervisor_version, wanted):
    if not (hypervisor_version and wanted):
        return True
    try:
        predicate = versionutils.VersionPredicate(wanted)
        return predicate.satisfied_by(
            versionutils.convert_version_to_str(hypervisor_version))
    except ValueError:
        # Nova raises; an unreadable requirement is met by no host here.
        return False


def _bits_ok(host_bits, wanted):
    if not wanted or not host_bits:
        return True
    return int(host_bits) >= int(wanted)


class ImagePropertiesFilter(compute_facts.ComputeFactsFilter,
                            base.ColumnFilter):
    """Passes hosts able to run the image's architecture, type and mode."""

    RUN_ON_REBUILD = True
    run_filter_once_per_request = True

    def _wanted(self, spec):
        props = spec.image.properties if spec.image else {}
        arch = props.get(
            'hw_architecture',
            self.conf.filter_scheduler.image_properties_default_architecture)
        return props, (_canonical(arch, _ARCH_ALIASES),
                       _canonical(props.get('img_hv_type'), _HV_ALIASES),
                       _canonical(props.get('hw_vm_mode'), _VM_MODE_ALIASES))

    @staticmethod
    def _supports(host_key, props, wanted):
        if host_key is None or not host_key[0]:
            return False
        supported, version, bits = host_key
        for triple in supported:
            if all(w is None or w in triple for w in wanted):
                if (_version_ok(version,
                                props.get('img_hv_requested_version')) and
                        _bits_ok(bits, props.get('hw_maxphysaddr_bits'))):
                    return True
        return False

    def filter_mask(self, host_set, spec):
        props, wanted = self._wanted(spec)
        if not any(wanted):
            return np.ones(len(host_set), dtype=bool)
        # Only for images naming an architecture, type or mode: once per
        # distinct key of the hosts.
        return columns.mask_by_group(
            host_set, 'image_properties', lambda f: _host_key(f.compute),
            lambda host: self._supports(_host_key(host.facts.compute),
                                        props, wanted))
