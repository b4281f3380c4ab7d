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

"""The ``GET /allocation_candidates`` query, as inspectable data.

``scheduler.placement.translation.build_query`` fills an
``AllocationCandidatesQuery`` from a request spec; request filters
(``scheduler.request_filters``) add to it (member_of, in_tree, root
traits) before it is sent. The query knows the Placement features it uses,
hence the lowest microversion that expresses it, and renders itself as the
parameters Placement reads, in a stable order.
"""

import dataclasses
from urllib import parse

from scheduler.placement import versions

GROUP_POLICIES = ('none', 'isolate')
# Characters left as they are in the query string, so it reads as typed.
_SAFE = ',:!'


@dataclasses.dataclass
class RequestGroup:
    """One group of the query: the unsuffixed one, or ``resources<S>``."""

    resources: dict[str, int] = dataclasses.field(default_factory=dict)
    required_traits: set[str] = dataclasses.field(default_factory=set)
    forbidden_traits: set[str] = dataclasses.field(default_factory=set)
    # Each set: at least one of these traits (``required=in:A,B``).
    any_traits: list[frozenset[str]] = dataclasses.field(
        default_factory=list)
    # Each set: member of at least one of these aggregates.
    member_of: list[frozenset[str]] = dataclasses.field(
        default_factory=list)
    forbidden_aggregates: set[str] = dataclasses.field(default_factory=set)
    in_tree: str | None = None

    def is_empty(self):
        return not (self.resources or self.required_traits or
                    self.forbidden_traits or self.any_traits or
                    self.member_of or self.forbidden_aggregates or
                    self.in_tree)

    def features(self):
        found = set()
        if self.in_tree:
            found.add('in_tree')
        if self.forbidden_traits:
            found.add('forbidden_traits')
        if self.any_traits:
            found.add('any_traits')
        if self.member_of:
            found.add('member_of')
        if len(self.member_of) > 1:
            found.add('member_of_repeated')
        if self.forbidden_aggregates:
            found.add('forbidden_aggregates')
        return found

    def to_params(self, suffix):
        params = []
        if self.resources:
            params.append(('resources' + suffix, ','.join(
                '%s:%d' % (rc, amount)
                for rc, amount in sorted(self.resources.items()))))
        traits = sorted(self.required_traits) + [
            '!' + name for name in sorted(self.forbidden_traits)]
        if traits:
            params.append(('required' + suffix, ','.join(traits)))
        for names in self.any_traits:
            params.append(('required' + suffix,
                           'in:' + ','.join(sorted(names))))
        for aggs in self.member_of:
            # Always ``in:``, as Nova writes it, even for one aggregate.
            params.append(('member_of' + suffix,
                           'in:' + ','.join(sorted(aggs))))
        if self.forbidden_aggregates:
            params.append(('member_of' + suffix, '!in:' + ','.join(
                sorted(self.forbidden_aggregates))))
        if self.in_tree:
            params.append(('in_tree' + suffix, self.in_tree))
        return params


def _suffix_key(suffix):
    # '' first, then numbered groups in numeric order, then named ones.
    if not suffix:
        return (0, 0, '')
    if suffix.isdigit():
        return (1, int(suffix), '')
    return (2, 0, suffix)


@dataclasses.dataclass
class AllocationCandidatesQuery:
    """Everything ``GET /allocation_candidates`` is asked, as data."""

    groups: dict[str, RequestGroup] = dataclasses.field(
        default_factory=dict)
    group_policy: str | None = None
    root_required: set[str] = dataclasses.field(default_factory=set)
    root_forbidden: set[str] = dataclasses.field(default_factory=set)
    same_subtree: list[list[str]] = dataclasses.field(default_factory=list)
    limit: int | None = None

    def group(self, suffix=''):
        """The group with ``suffix`` ('' for the unsuffixed one).

        Created if missing.
        """
        return self.groups.setdefault(suffix, RequestGroup())

    @property
    def unsuffixed(self):
        return self.group('')

    def features(self):
        """Names (``versions.FEATURES``) of the features this query uses."""
        found = set()
        for suffix, group in self.groups.items():
            found |= group.features()
            if suffix:
                found.add('granular_groups' if suffix.isdigit()
                          else 'string_suffixes')
        if self.root_required or self.root_forbidden:
            found.add('root_required')
        if self.same_subtree:
            found.add('same_subtree')
        return found

    @property
    def microversion(self):
        """The microversion to send: 1.36, or newer if a feature needs it.

        1.36 is the floor because of the answer, not the question: the
        driver reads ``mappings`` (1.34) and claims at that version, as
        Nova does.
        """
        return versions.needed(*self.features(),
                               base=versions.ALLOCATION_CANDIDATES)

    def suffixed(self):
        """Suffixes of the groups other than the unsuffixed one."""
        return [suffix for suffix in self.groups if suffix]

    def all_required_traits(self):
        """Required traits of every group (not the root ones)."""
        found = set()
        for group in self.groups.values():
            found |= group.required_traits
        return found

    def to_params(self):
        """[(name, value), ...] in a stable order."""
        params = []
        for suffix in sorted(self.groups, key=_suffix_key):
            params.extend(self.groups[suffix].to_params(suffix))
        if self.group_policy:
            params.append(('group_policy', self.group_policy))
        root = sorted(self.root_required) + [
            '!' + name for name in sorted(self.root_forbidden)]
        if root:
            params.append(('root_required', ','.join(root)))
        for suffixes in self.same_subtree:
            params.append(('same_subtree', ','.join(sorted(suffixes))))
        if self.limit is not None:
            params.append(('limit', str(self.limit)))
        return params

    def to_query_string(self):
        """``resources=DISK_GB:1,MEMORY_MB:512,VCPU:1&limit=1000``."""
        return parse.urlencode(self.to_params(), safe=_SAFE)

    def __str__(self):
        return self.to_query_string()
