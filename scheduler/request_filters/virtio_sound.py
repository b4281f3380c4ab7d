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

"""Ask for hosts with virtio sound when the guest wants it."""

from scheduler.placement import extra_specs
from scheduler.request_filters import base

TRAIT = 'COMPUTE_SOUND_MODEL_VIRTIO'


class VirtioSoundFilter(base.RequestFilter):
    """Require COMPUTE_SOUND_MODEL_VIRTIO when asked.

    When ``hw:sound_model`` / ``hw_sound_model`` is virtio. Always on in
    Nova.
    """

    def apply(self, spec, query, facts):
        source = extra_specs.Source(spec.flavor, spec.image)
        if source.either('hw:sound_model') != 'virtio':
            return False
        query.root_required.add(TRAIT)
        return True
