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

"""Turn well-known image properties into required root traits."""

import os_traits

from scheduler.request_filters import base

PREFIXES = {
    'hw_cdrom_bus': 'COMPUTE_STORAGE_BUS',
    'hw_disk_bus': 'COMPUTE_STORAGE_BUS',
    'hw_video_model': 'COMPUTE_GRAPHICS_MODEL',
    'hw_vif_model': 'COMPUTE_NET_VIF_MODEL',
    'hw_architecture': 'HW_ARCH',
    'hw_emulation_architecture': 'COMPUTE_ARCH',
    'hw_viommu_model': 'COMPUTE_VIOMMU',
}


class ImageMetadataFilter(base.RequestFilter):
    """Require the traits of well-known image properties.

    ``hw_disk_bus=virtio`` -> ``COMPUTE_STORAGE_BUS_VIRTIO`` and the like.
    A value with no such trait is refused naming the property.
    """

    option = 'image_metadata_prefilter'

    def apply(self, spec, query, facts):
        props = (spec.image.properties if spec.image else None) or {}
        traits = set()
        for key, prefix in sorted(PREFIXES.items()):
            value = props.get(key)
            if value is None:
                continue
            trait = '%s_%s' % (prefix, str(value).replace('-', '_').upper())
            if not hasattr(os_traits, trait):
                raise self.refuse('image property %s=%s has no trait (%s is '
                                  'not in os-traits)' % (key, value, trait))
            traits.add(trait)
        query.root_required |= traits
        return bool(traits)
