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

"""AggregateImagePropertiesIsolation: aggregate metadata against image
properties.

As in Nova: for each metadata key of the host's aggregates (only those
starting with ``[filter_scheduler]
aggregate_image_properties_isolation_namespace`` plus the separator, when
a namespace is set) that the image also has as a property with a value,
the property's value must be one of the key's values (comma-separated,
merged over the aggregates). Image properties the aggregates do not
mention, and metadata keys the image does not set, do not matter.

Facts missing: a host with no known aggregate has no metadata and passes
(as Nova).
"""

from scheduler.filters import base
from scheduler.filters import utils
from scheduler.host_state import columns


def _passes(host_state, props, prefix):
    for key, values in utils.aggregate_metadata(host_state).items():
        if prefix and not key.startswith(prefix):
            continue
        value = props.get(key)
        if value and str(value) not in values:
            return False
    return True


class AggregateImagePropertiesIsolation(base.ColumnFilter):
    """Passes hosts whose aggregates allow the image's properties."""

    run_filter_once_per_request = True
    reads_aggregates = True
    RUN_ON_REBUILD = True

    def _args(self, spec):
        opts = self.conf.filter_scheduler
        namespace = opts.aggregate_image_properties_isolation_namespace
        prefix = (namespace +
                  opts.aggregate_image_properties_isolation_separator
                  if namespace else None)
        props = spec.image.properties if spec.image else {}
        return props or {}, prefix

    def depends_on_aggregates(self, spec):
        return bool(self._args(spec)[0])

    def filter_mask(self, host_set, spec):
        props, prefix = self._args(spec)
        return columns.mask_by_group(
            host_set, 'aggregates', columns.aggregate_key,
            lambda host: _passes(host, props, prefix))
