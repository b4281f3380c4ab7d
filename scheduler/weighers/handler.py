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

"""Weigh the hosts that passed the filters: the one place that normalises.

Weighers come from ``[filter_scheduler] weight_classes`` (stevedore
namespace ``scheduler.weighers``; ``all`` means every weigher installed),
loaded once when the handler is built; a name that does not load raises
``PluginLoadError`` naming it.

Total weight of a host = sum over weighers of
``multiplier * normalise(raw weight)``, where ``normalise`` maps the raw
weights of the hosts being weighed to [0, 1] (min-max; all equal -> 0;
raw weights clamped to the weigher's ``minval``/``maxval``), as Nova does.
A weigher whose multiplier is 0 for every host is not asked at all. A host
lacking a fact the weigher reads (``reads_facts``) gets the weigher's
worst share, ``min(multiplier, 0)``, and is left out of the others'
normalisation: Nova would count the fact as 0, which can favour it.

Within a multi-create, the weighers that declare ``per_host``
(``scheduler.host_scope``) are asked again only about the hosts that may
have changed since the last instance (``reuse.StackedWeights``); the
weights are those computed afresh, bit for bit.
"""

import weakref

import numpy as np
from oslo_config import cfg
from oslo_log import log as logging

from scheduler.host_state import columns
from scheduler import plugins
from scheduler.weighers import base
from scheduler.weighers import reuse

LOG = logging.getLogger(__name__)

ALL = 'all'


def normalize(weights, minval=None, maxval=None):
    """Min-max normalise ``weights`` (a float array) to [0, 1].

    ``minval``/``maxval`` replace the observed bounds when given. All
    weights equal (or an empty range) gives zeros.
    """
    weights = np.asarray(weights, dtype=float)
    if weights.size == 0:
        return weights
    low = float(weights.min()) if minval is None else float(minval)
    high = float(weights.max()) if maxval is None else float(maxval)
    if high == low:
        return np.zeros_like(weights)
    return (weights - low) / (high - low)


def load_weighers(conf):
    names = list(conf.filter_scheduler.weight_classes)
    if ALL in names or plugins.NOVA_ALL_WEIGHERS in names:
        return plugins.load_all(plugins.WEIGHER_NAMESPACE, conf,
                                interface=base.BaseHostWeigher)
    return plugins.load_named(plugins.WEIGHER_NAMESPACE, names, conf,
                              interface=base.BaseHostWeigher)


def _unjudged(weigher, host_set, spec, indices):
    """Bool array over ``indices``: hosts lacking a fact ``weigher`` reads.

    None when there are none (or the request does not depend on them).
    """
    if not weigher.reads_facts or not weigher.depends_on_facts(spec):
        return None
    unknown = np.zeros(len(indices), dtype=bool)
    for fact in weigher.reads_facts:
        unknown |= columns.fact_unknown(host_set, fact)[indices]
    return unknown if unknown.any() else None


class WeightHandler:
    """The configured weighers, summed over a set of hosts."""

    def __init__(self, conf=None, weighers=None, incremental=True):
        """Load the weighers (unless given).

        :param incremental: keep weights between the instances of a
            request (False: weigh every instance afresh, to compare with).
        """
        conf = conf if conf is not None else cfg.CONF
        if weighers is None:
            weighers = load_weighers(conf)
        # [(name, weigher)]; the name is the entry point name.
        self.weighers = list(weighers)
        self._incremental = incremental
        # {host set: reuse.StackedWeights} of the multi-creates running.
        self._stacked = weakref.WeakKeyDictionary()

    def weigh(self, host_set, spec, indices, per_weigher=None, more=False):
        """Total weights of hosts ``indices`` (aligned with ``indices``).

        A single host weighs 0, as in Nova (there is nothing to compare).

        Once an instance of the request was consumed on a host (the second
        instance of a multi-create on), the raw weights and shares of the
        weighers that declare ``per_host`` are kept, for ``spec`` over
        ``host_set`` (``reuse.StackedWeights``), and asked again only
        where they may have changed: the weights are the same.

        :param per_weigher: a dict to fill with each weigher's share of the
            totals (``{name: array aligned with indices}``, multiplier
            applied; weighers switched off are left out), for explaining a
            decision.
        :param more: other instances of the request follow: the weights
            are kept from this one on (the first of a multi-create), not
            computed twice.
        """
        indices = np.asarray(indices, dtype=np.intp)
        if len(indices) <= 1:
            return np.zeros(len(indices), dtype=float)
        # Explaining a decision asks for each weigher's share: the
        # handler's own, then.
        stacked = (self._stacked_for(host_set, spec, more)
                   if per_weigher is None else None)
        if stacked is not None:
            weights = stacked.weigh(host_set, spec, indices)
            if weights is not None:
                return weights
            # Started again at the next instance, from the hosts then.
            del self._stacked[host_set]
        total = np.zeros(len(indices), dtype=float)
        for name, weigher in self.weighers:
            share = _share(weigher, host_set, spec, indices)
            if share is None:
                continue
            total += share
            if per_weigher is not None:
                per_weigher[name] = share
        return total

    def _stacked_for(self, host_set, spec, more=False):
        """The weights kept for ``spec`` over ``host_set``, or None.

        None before anything was consumed, unless ``more`` instances
        follow (a request's only instance keeps nothing); kept per host
        set, so never across requests.
        """
        if not self._incremental:
            return None
        if not more and not host_set.placed.any():
            if self._stacked:
                self._stacked.pop(host_set, None)
            return None
        stacked = self._stacked.get(host_set)
        if stacked is None or stacked.spec is not spec:
            try:
                stacked = reuse.StackedWeights(self.weighers, host_set, spec,
                                               _share)
            except Exception:
                # A weigher asked about hosts not weighed (multipliers):
                # the handler asks it only about those weighed.
                LOG.debug('Weights not kept for this request',
                          exc_info=True)
                return None
            self._stacked[host_set] = stacked
        return stacked


def _share(weigher, host_set, spec, indices):
    """``weigher``'s multiplied normalised weights of hosts ``indices``.

    None when its multiplier is 0 for all of them.
    """
    multipliers = weigher.weight_multipliers(host_set, indices)
    if not np.any(multipliers):
        return None
    raw = reuse.clip(
        np.asarray(weigher.raw_weights(host_set, spec, indices),
                   dtype=float), weigher.minval, weigher.maxval)
    minval, maxval = weigher.minval, weigher.maxval
    unknown = _unjudged(weigher, host_set, spec, indices)
    if unknown is None:
        return multipliers * normalize(raw, minval, maxval)
    normalised = np.zeros(len(indices))
    normalised[~unknown] = normalize(raw[~unknown], minval, maxval)
    # The worst share: 0 where the weigher favours high raw weights, its
    # (negative) multiplier where it favours low.
    worst = np.broadcast_to(np.minimum(multipliers, 0.0), normalised.shape)
    return np.where(unknown, worst, multipliers * normalised)
