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

"""Ask for hosts that support the image's disk format."""

import os_traits

from scheduler.request_filters import base


class ImageTypeFilter(base.RequestFilter):
    """Require COMPUTE_IMAGE_TYPE_<disk format>.

    Not for boot from volume. An image without a known disk format is
    refused: the filter cannot tell which hosts support it.
    """

    option = 'query_placement_for_image_type_support'

    def apply(self, spec, query, facts):
        if spec.is_bfv:
            return False
        disk_format = spec.image.disk_format if spec.image else None
        if not disk_format:
            raise self.refuse('the image has no disk_format')
        trait = 'COMPUTE_IMAGE_TYPE_%s' % disk_format.upper()
        if not hasattr(os_traits, trait):
            raise self.refuse('disk_format %s has no trait (%s is not in '
                              'os-traits)' % (disk_format, trait))
        query.root_required.add(trait)
        return True
