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

"""Ask for hosts that keep vTPM secrets as the flavor requires."""

from scheduler.placement import extra_specs
from scheduler.request_filters import base

TRAITS = {
    'user': 'COMPUTE_SECURITY_TPM_SECRET_SECURITY_USER',
    'host': 'COMPUTE_SECURITY_TPM_SECRET_SECURITY_HOST',
    'deployment': 'COMPUTE_SECURITY_TPM_SECRET_SECURITY_DEPLOYMENT',
}


class TpmSecretSecurityFilter(base.RequestFilter):
    """Require the vTPM secret security trait.

    With a vTPM (``hw:tpm_version`` / ``hw_tpm_version``):
    ``COMPUTE_SECURITY_TPM_SECRET_SECURITY_<hw:tpm_secret_security>``
    (``user`` by default). Always on in Nova.
    """

    def apply(self, spec, query, facts):
        source = extra_specs.Source(spec.flavor, spec.image)
        if not source.either('hw:tpm_version'):
            return False
        security = source.spec('hw:tpm_secret_security') or 'user'
        if security not in TRAITS:
            raise self.refuse('extra spec hw:tpm_secret_security=%s: must '
                              'be one of %s'
                              % (security, ', '.join(sorted(TRAITS))))
        query.root_required.add(TRAITS[security])
        return True
