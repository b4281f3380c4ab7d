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
