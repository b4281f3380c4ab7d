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

"""ComputeCapabilitiesFilter: flavor extra specs against host capabilities.

As in Nova: an extra spec scoped ``capabilities:`` names a path into the
host's attributes (``capabilities:cpu_info:arch``, ``capabilities:
hypervisor_type``; a JSON string on the way is decoded), falling back to
the compute node's ``stats``; an unscoped key is checked only if the host
has such an attribute or stat; other scopes (``hw:``, ``resources:``...)
are ignored. Values are matched with ``extra_specs_ops``.
``hw:maxphysaddr_bits`` N means ``capabilities:cpu_info:maxphysaddr:bits``
``>= N``.

Facts missing: a capability the request names that the host does not
report fails the host (as Nova); unscoped keys of unknown attributes are
skipped (as Nova); a host without compute details fails closed
(``compute_facts``).
"""

import numpy as np
from oslo_log import log as logging
from oslo_serialization import jsonutils

from scheduler.filters import base
from scheduler.filters import compute_facts
from scheduler.filters import extra_specs_ops
from scheduler.filters import host_attributes
from scheduler.host_state import columns

LOG = logging.getLogger(__name__)

SCOPE = 'capabilities'


def _lookup(attributes, path):
    value = attributes
    for name in path:
        if isinstance(value, str):
            try:
                value = jsonutils.loads(value)
            except ValueError:
                return None
        if not isinstance(value, dict):
            return None
        found = value.get(name)
        if found is None and value is attributes:
            found = (value.get('stats') or {}).get(name)
        value = found
        if value is None:
            return None
    return value


class ComputeCapabilitiesFilter(compute_facts.ComputeFactsFilter,
                                base.ColumnFilter):
    """Passes hosts whose capabilities satisfy the flavor's extra specs."""

    run_filter_once_per_request = True

    @staticmethod
    def _requirements(spec):
        """The extra specs this filter checks: unscoped or capabilities."""
        specs = dict(spec.flavor.extra_specs or {})
        bits = specs.pop('hw:maxphysaddr_bits', None)
        if bits is not None:
            specs[SCOPE + ':cpu_info:maxphysaddr:bits'] = '>= ' + bits
        return {key: value for key, value in specs.items()
                if ':' not in key or key.startswith(SCOPE + ':')}

    def filter_mask(self, host_set, spec):
        specs = self._requirements(spec)
        # Most flavors name no capability: then no host is looked at.
        if not specs:
            return np.ones(len(host_set), dtype=bool)
        names = sorted({key.split(':')[1] if ':' in key else key
                        for key in specs})
        if host_attributes.HOST_ATTRIBUTES.intersection(names):
            return np.fromiter((self._satisfies(h, specs)
                                for h in host_set.hosts), bool,
                               len(host_set))
        # Only the compute records matter: once per distinct value of
        # what they say about the names asked for.

        def key(facts):
            compute = facts.compute
            if compute is None:
                return None
            return tuple(host_attributes.compute_value(compute, n)
                         for n in names)
        return columns.mask_by_group(
            host_set, 'capabilities:' + ','.join(names), key,
            lambda host: self._satisfies(host, specs), freeze=True)

    def _satisfies(self, host_state, specs):
        if host_state.facts.compute is None:
            # Not reported: no capability is known to be met.
            return False
        attributes = host_attributes.attributes(host_state)
        for key, requirement in specs.items():
            path = key.split(':')
            if len(path) == 1:
                if (key not in attributes and
                        key not in (attributes.get('stats') or {})):
                    continue
            elif path[0] != SCOPE:
                continue
            else:
                path = path[1:]
            value = _lookup(attributes, path)
            if value is None or not extra_specs_ops.match(str(value),
                                                          requirement):
                LOG.debug('%(host)s fails extra spec %(key)s=%(req)s '
                          '(has %(value)s)',
                          {'host': host_state.host, 'key': key,
                           'req': requirement, 'value': value})
                return False
        return True
