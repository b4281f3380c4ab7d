"""ImagePropertiesWeigher: weighs hosts by the images their instances run.

Each instance on the host whose image has one of the requested image's
property values counts once per such property (times the property's ratio
in ``[filter_scheduler] image_props_weight_setting`` when that is set;
properties not listed there then count 0). A positive
``image_props_weight_multiplier`` packs instances with similar images, a
negative one spreads them; 0, the default, switches the weigher off.

The image properties of an instance are read from its facts
(``InstanceFacts.image_properties``, a dict); an instance without them
counts 0.
"""

import collections

import numpy as np

from scheduler.weighers import base
from scheduler.weighers import utils


def _props(properties):
    # Values compared as strings, so lists and numbers compare too.
    return {(key, str(value)) for key, value in (properties or {}).items()}


class ImagePropertiesWeigher(base.ConfiguredWeigher):
    """Raw weight: instances on the host sharing requested properties."""

    multiplier_option = 'image_props_weight_multiplier'

    def __init__(self, conf=None):
        super().__init__(conf)
        self.setting = dict(utils.parse_setting(
            self.conf.filter_scheduler.image_props_weight_setting,
            'filter_scheduler.image_props_weight_setting'))

    def _weight(self, host_state, requested):
        counts = collections.Counter()
        for instance in host_state.facts.instances.values():
            counts.update(_props(getattr(instance, 'image_properties', None))
                          & requested)
        if self.setting:
            return sum(self.setting.get(prop, 0.0) * n
                       for (prop, _value), n in counts.items())
        return float(sum(counts.values()))

    def _requested(self, spec):
        # Off when configured 0, whatever the aggregates say (as Nova).
        if self.configured_multiplier() == 0.0 or spec.image is None:
            return set()
        return _props(spec.image.properties)

    def _weigh_object(self, host_state, spec):
        requested = self._requested(spec)
        return self._weight(host_state, requested) if requested else 0.0

    def weigh_columns(self, host_set, spec):
        requested = self._requested(spec)
        if not requested:
            return np.zeros(len(host_set))
        return np.fromiter((self._weight(h, requested)
                            for h in host_set.hosts), float, len(host_set))
