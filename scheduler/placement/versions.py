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

"""Placement microversions this package uses: feature -> minimum version.

One line per feature, as in Placement's ``rest_api_version_history.rst``.
Code asks ``versions.needed(feature, ...)`` instead of writing numbers.
"""

FEATURES = {
    # Provider management (tests, the simulator).
    'provider_tree': '1.14',            # parent/root provider uuids
    'provider_aggregates_generation': '1.19',
    'create_provider_returns_body': '1.20',
    # Allocation candidates: query features.
    'member_of': '1.21',                # member_of=in:a,b
    'member_of_repeated': '1.24',       # member_of=a&member_of=b
    'forbidden_traits': '1.22',         # required=!T
    'granular_groups': '1.25',          # resources1=...
    'in_tree': '1.31',                  # in_tree<N>= in granular groups
    'forbidden_aggregates': '1.32',     # member_of=!in:a,b
    'string_suffixes': '1.33',          # resources_NAME=...
    'allocation_mappings': '1.34',      # allocation requests carry mappings
    'root_required': '1.35',
    'same_subtree': '1.36',
    'any_traits': '1.39',               # required=in:A,B
    # Allocations.
    'consumer_generation': '1.28',
    'consumer_type': '1.38',            # and required in PUT /allocations
}

# The version of every GET /allocation_candidates: allocation requests with
# mappings, provider summaries with root and parent uuids, same_subtree.
ALLOCATION_CANDIDATES = '1.36'

# Claims: the newest version whose PUT /allocations body we know how to
# write, and the oldest we accept (consumer generation and mappings).
CLAIM_PREFERRED = '1.38'
CLAIM_MINIMUM = '1.36'

PROVIDERS = FEATURES['create_provider_returns_body']


def parse(version):
    """'1.36' -> (1, 36)."""
    major, minor = str(version).strip().split('.')
    return int(major), int(minor)


def to_str(version):
    """(1, 36) -> '1.36'."""
    return '%d.%d' % tuple(version)


def at_least(version, other):
    """True if ``version`` is ``other`` or newer."""
    return parse(version) >= parse(other)


def needed(*features, base=None):
    """The lowest version offering every named feature (and ``base``)."""
    candidates = [FEATURES[name] for name in features]
    if base is not None:
        candidates.append(base)
    return to_str(max(parse(v) for v in candidates)) if candidates else None
