"""Ask for hosts whose compute service can attach accelerators."""

from scheduler.request_filters import base

TRAIT = 'COMPUTE_ACCELERATORS'


class AcceleratorsFilter(base.RequestFilter):
    """Require COMPUTE_ACCELERATORS for a device profile.

    ``accel:device_profile`` in the flavor ->
    ``root_required=COMPUTE_ACCELERATORS``. Always on in Nova.
    """

    def apply(self, spec, query, facts):
        if not (spec.flavor.extra_specs or {}).get('accel:device_profile'):
            return False
        query.root_required.add(TRAIT)
        return True
