"""The ``GET /allocation_candidates`` query, as inspectable data.

``build_query(spec, limit)`` turns a request into an
``AllocationCandidatesQuery``: the flavor's VCPU, MEMORY_MB and DISK_GB
(root + ephemeral + swap rounded up to GiB, as Nova counts them; a
boot-from-volume request drops the root disk), overridden by
``resources[SUFFIX]:RC=N`` extra specs (``0`` drops the class) and
constrained by ``trait[SUFFIX]:T=required|forbidden``. Request filters may
add more (member_of, in_tree, root traits) before the query is sent; the
query knows the microversion its features need and renders itself as the
parameters Placement reads.
"""

import dataclasses
import math
import re
from urllib import parse

from oslo_log import log as logging

from scheduler import exception
from scheduler.placement import versions

LOG = logging.getLogger(__name__)

VCPU = 'VCPU'
MEMORY_MB = 'MEMORY_MB'
DISK_GB = 'DISK_GB'

REQUIRED = 'required'
FORBIDDEN = 'forbidden'
GROUP_POLICIES = ('none', 'isolate')

# resources1:VCPU, trait_NET:CUSTOM_X, resources:MEMORY_MB ...
_EXTRA_SPEC = re.compile(
    r'^(?P<prefix>resources|trait)'
    r'(?P<suffix>[1-9][0-9]*|_[a-zA-Z0-9_-]{1,64})?:(?P<name>.+)$')
_NAME = re.compile(r'^[A-Z0-9_]+$')
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
            value = ','.join(sorted(aggs))
            params.append(('member_of' + suffix,
                           'in:' + value if len(aggs) > 1 else value))
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
                if group.in_tree:
                    found.add('in_tree')
        if self.root_required or self.root_forbidden:
            found.add('root_required')
        if self.same_subtree:
            found.add('same_subtree')
        return found

    @property
    def microversion(self):
        """The microversion to send: 1.36, or newer if a feature needs it."""
        return versions.needed(*self.features(),
                               base=versions.ALLOCATION_CANDIDATES)

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
            params.append(('same_subtree', ','.join(suffixes)))
        if self.limit is not None:
            params.append(('limit', str(self.limit)))
        return params

    def to_query_string(self):
        """``resources=DISK_GB:1,MEMORY_MB:512,VCPU:1&limit=1000``."""
        return parse.urlencode(self.to_params(), safe=_SAFE)

    def __str__(self):
        return self.to_query_string()


def disk_gb(flavor, is_bfv=False):
    """DISK_GB of a flavor, as Nova counts it (swap is in MiB)."""
    disk = flavor.ephemeral_gb + int(math.ceil(flavor.swap / 1024.0))
    if not is_bfv:
        disk += flavor.root_gb
    return disk


def _amount(key, value):
    try:
        amount = int(str(value).strip())
    except ValueError:
        amount = -1
    if amount < 0:
        raise exception.InvalidRequest(
            'extra spec %s=%s: a resource amount must be a non-negative '
            'integer' % (key, value))
    return amount


def _name(key, name):
    if not _NAME.match(name):
        raise exception.InvalidRequest(
            'extra spec %s: %r is not a valid resource class or trait name '
            '(upper case letters, digits and underscores)' % (key, name))
    return name


def _apply_extra_specs(query, extra_specs):
    """Resources and traits of ``extra_specs`` into ``query``.

    Returns the resource classes that extra specs name (in any group).
    """
    overridden = set()
    for key, value in sorted(extra_specs.items()):
        if key == 'group_policy':
            if value not in GROUP_POLICIES:
                raise exception.InvalidRequest(
                    'extra spec group_policy=%s: must be one of %s'
                    % (value, ', '.join(GROUP_POLICIES)))
            query.group_policy = value
            continue
        match = _EXTRA_SPEC.match(key)
        if not match:
            continue
        group = query.group(match.group('suffix') or '')
        name = _name(key, match.group('name'))
        if match.group('prefix') == 'resources':
            group.resources[name] = _amount(key, value)
            overridden.add(name)
        elif value == REQUIRED:
            group.required_traits.add(name)
        elif value == FORBIDDEN:
            group.forbidden_traits.add(name)
        else:
            raise exception.InvalidRequest(
                'extra spec %s=%s: a trait must be %s or %s'
                % (key, value, REQUIRED, FORBIDDEN))
    return overridden


def build_query(spec, limit):
    """The allocation candidates query of ``spec`` (a RequestSpec)."""
    flavor = spec.flavor
    query = AllocationCandidatesQuery(limit=limit)
    base = query.unsuffixed
    overridden = _apply_extra_specs(query, flavor.extra_specs or {})
    flavor_resources = {
        VCPU: flavor.vcpus,
        MEMORY_MB: flavor.memory_mb,
        DISK_GB: disk_gb(flavor, spec.is_bfv),
    }
    for rc, amount in flavor_resources.items():
        # An extra spec in any group replaces the flavor's own amount.
        if rc not in overridden:
            base.resources[rc] = amount
    for group in query.groups.values():
        for rc in [rc for rc, amount in group.resources.items()
                   if not amount]:
            del group.resources[rc]
    for suffix in [s for s, g in query.groups.items() if s and g.is_empty()]:
        del query.groups[suffix]
    params = spec.request_level_params
    if params is not None:
        query.root_required |= set(params.root_required)
        query.root_forbidden |= set(params.root_forbidden)
        query.same_subtree.extend(list(s) for s in params.same_subtree)
    LOG.debug('Allocation candidates query for flavor %s: %s',
              flavor.name, query)
    return query
