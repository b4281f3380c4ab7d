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

"""What every row of the fault matrix shares: secrets and service options."""

import secrets

# Secrets every row uses; no log line or answer of the suite may hold one
# (test_secrets.py looks). noauth2 takes "admin:<anything>" as admin.
SECRETS = {
    'auth_token': 'ctx-token-%s' % secrets.token_hex(12),
    'catalog url': 'https://catalog-%s.example.org/v3' % secrets.token_hex(6),
    'placement token': secrets.token_hex(12),
    'placement password': 'pw-%s' % secrets.token_hex(12),
}


def remember_secret(name, value):
    SECRETS[name] = value


# What the service gets in [placement]: a short timeout so a stalled
# Placement costs seconds, one connection retry, two status retries.
PLACEMENT_CONF = {'token': 'admin:%s' % SECRETS['placement token'],
                  'timeout': 3, 'connect_retries': 1,
                  'status_code_retries': 2, 'connect_retry_delay': 0.2,
                  'status_code_retry_delay': 0.2}
# The matrix tests the path to Placement, not the plugins: name the
# built-in ones, so plugins being added elsewhere cannot change a row.
PLUGIN_CONF = {'enabled_filters': 'ComputeCapabilitiesFilter',
               'weight_classes': 'RAMWeigher,CPUWeigher,DiskWeigher'}
