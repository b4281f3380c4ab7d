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

"""ImagePropertiesWeigher: weighs hosts by the images their instances run.

Each instance on the host whose image has one of the requested image's
property values counts once per such property (times the property's ratio
in ``[filter_scheduler] image_props_weight_setting`` when that is set;
properties not listed there then count 0). A positive
``image_props_weight_multiplier`` packs instances with similar images, a
negative one spreads them; 0, the default, switches the weigher off.

An instance's image properties are those its system metadata records
(``InstanceFacts.image_properties``), as Nova's weigher reads them. The
``nova_db`` source reads them while this weigher is on; the ``rpc`` source
has them for the instances a compute casts with their system metadata (a
new or resized instance). With neither, every host weighs 0, and the
weigher says so at start.

System metadata holds text ("true", "2"); the request's image properties
arrive typed (True, 2). A value is compared as the requested value's type,
as Nova's weigher compares both after reading them into ``ImageMetaProps``.
"""

import collections

import numpy as np
from oslo_log import log as logging
from oslo_utils import strutils

from scheduler.host_facts import instances as compact
from scheduler import host_scope
from scheduler.host_state import facts as host_facts
from scheduler.weighers import base
from scheduler.weighers import utils

LOG = logging.getLogger(__name__)


def _parse(wanted, text):
    """``text`` read as the type of ``wanted``; None if it cannot be."""
    try:
        if isinstance(wanted, bool):
            return strutils.bool_from_string(text, strict=True)
        if isinstance(wanted, (int, float)):
            return type(wanted)(text)
    except ValueError:
        return None
    return text


def _requested(properties):
    # Lists and other values compare as text, as Nova stringifies them.
    return {key: value if isinstance(value, (bool, int, float))
            else str(value) for key, value in properties.items()}


def image_properties_known(conf):
    """Whether a configured source can know instances' image properties."""
    return ('nova_db' in conf.host_facts.sources and
            conf.host_facts_nova_db.read_instances)


class ImagePropertiesWeigher(base.ConfiguredWeigher):
    """Raw weight: instances on the host sharing requested properties."""

    reads_facts = frozenset([host_facts.INSTANCES])
    # The instances the host reported, not those placed by the request.
    per_host = host_scope.FIXED

    multiplier_option = 'image_props_weight_multiplier'

    def __init__(self, conf=None):
        super().__init__(conf)
        self.setting = dict(utils.parse_setting(
            self.conf.filter_scheduler.image_props_weight_setting,
            'filter_scheduler.image_props_weight_setting'))
        if (compact.image_properties_wanted(self.conf) and
                not image_properties_known(self.conf)):
            LOG.warning('ImagePropertiesWeigher weighs by the image '
                        'properties of the instances on each host; only '
                        'the nova_db host-facts source reads them for '
                        'every instance ([host_facts] sources, '
                        '[host_facts_nova_db] read_instances). Without '
                        'it only instances cast with their system '
                        'metadata count.')

    def _weight(self, host_state, requested):
        counts = collections.Counter()
        for instance in host_state.facts.instances.values():
            for name, text in instance.image_properties:
                wanted = requested.get(name)
                if wanted is not None and _parse(wanted, text) == wanted:
                    counts[name] += 1
        if self.setting:
            return sum(self.setting.get(name, 0.0) * n
                       for name, n in counts.items())
        return float(sum(counts.values()))

    def _requested(self, spec):
        # Off when configured 0, whatever the aggregates say (as Nova).
        if self.configured_multiplier() == 0.0 or spec.image is None:
            return {}
        return _requested(spec.image.properties)

    def weigh_columns(self, host_set, spec):
        requested = self._requested(spec)
        if not requested:
            return np.zeros(len(host_set))
        return np.fromiter((self._weight(h, requested)
                            for h in host_set.hosts), float, len(host_set))
