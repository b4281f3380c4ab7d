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
