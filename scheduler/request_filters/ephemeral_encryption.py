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

"""Ask for hosts that can encrypt ephemeral disks when asked to."""

from scheduler.placement import extra_specs
from scheduler.request_filters import base

TRAIT = 'COMPUTE_EPHEMERAL_ENCRYPTION'
FORMATS = ('luks', 'plain')


class EphemeralEncryptionFilter(base.RequestFilter):
    """Require ephemeral encryption traits when asked.

    ``hw:ephemeral_encryption`` / ``hw_ephemeral_encryption`` true ->
    ``COMPUTE_EPHEMERAL_ENCRYPTION`` and, with a format,
    ``COMPUTE_EPHEMERAL_ENCRYPTION_<FORMAT>``. Always on in Nova.
    """

    def apply(self, spec, query, facts):
        source = extra_specs.Source(spec.flavor, spec.image)
        if not source.either('hw:ephemeral_encryption', boolean=True):
            return False
        query.root_required.add(TRAIT)
        fmt = source.either('hw:ephemeral_encryption_format', FORMATS)
        if fmt:
            query.root_required.add('%s_%s' % (TRAIT, fmt.upper()))
        return True
