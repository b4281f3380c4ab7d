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

"""One request's weights, kept between the instances of a multi-create.

``StackedWeights`` holds, for the weighers that declare ``per_host``
(``scheduler.host_scope``), a raw weight per host, one row per weigher of a
2-D array, asked of the weigher only for the hosts it never weighed and
(``STATE``) those consumed since; and each weigher's share per host,
computed again for every host only when the weigher's normalisation
bounds moved, else only where its raw weight did. The other weighers'
shares are computed for every instance as the handler computes them. The
total is the sum of the shares in the handler's order, as the handler
adds them: the weights are those of ``WeightHandler.weigh``, bit for bit.
"""

import numpy as np

from scheduler import host_scope
from scheduler.host_state import columns


def clip(raw, minval, maxval):
    """``raw`` clamped to the weigher's fixed bounds, as Nova does."""
    if minval is None:
        return raw if maxval is None else np.minimum(raw, maxval)
    if maxval is None:
        return np.maximum(raw, minval)
    return np.clip(raw, minval, maxval)


def _bounds(weighers, name):
    """``(rows, values)`` of the weighers with a fixed bound ``name``."""
    rows = [row for row, w in enumerate(weighers)
            if getattr(w, name) is not None]
    return (np.array(rows, dtype=np.intp),
            np.array([float(getattr(weighers[row], name)) for row in rows]))


class StackedWeights:
    """The weights of one request's hosts, instance after instance.

    :param weighers: the handler's ``[(name, weigher)]``.
    :param share: ``share(weigher, host_set, spec, indices)``, the
        handler's share of a weigher over ``indices`` (None when it is
        switched off for them), for the weighers not stacked.
    """

    def __init__(self, weighers, host_set, spec, share):
        self.spec = spec
        self._share = share
        n = len(host_set)
        every = np.arange(n)
        # Per weigher summed: (weigher, row in the stack or None).
        self.plan = []
        stacked, multipliers = [], []
        scopes = []
        for _name, weigher in weighers:
            scope = _scope(weigher, spec)
            if scope not in host_scope.SCOPES:
                self.plan.append((weigher, None))
                continue
            column = np.asarray(weigher.weight_multipliers(host_set, every),
                                dtype=float)
            if column.ndim == 0:
                column = np.full(n, float(column))
            if not column.any():
                # Switched off for every host: never summed.
                continue
            self.plan.append((weigher, len(stacked)))
            stacked.append(weigher)
            scopes.append(scope)
            multipliers.append(column)
        k = len(stacked)
        self.stacked = stacked
        self.share_rows = np.array(
            [i for i, (_w, row) in enumerate(self.plan) if row is not None],
            dtype=np.intp)
        self.multipliers = np.array(multipliers, dtype=float).reshape(k, n)
        # Switched off for some hosts (by their aggregates): when it is
        # for every host weighed, the handler does not ask for its raw
        # weights (which may raise), so neither is it asked here.
        self.partial = [row for row in range(k)
                        if not self.multipliers[row].all()]
        # {row: a host inside for which the row's multiplier is not 0}.
        self.witness = {}
        self.worst = np.minimum(self.multipliers, 0.0)
        self.unknown = np.zeros((k, n), dtype=bool)
        for row, weigher in enumerate(stacked):
            if weigher.reads_facts and weigher.depends_on_facts(spec):
                for fact in weigher.reads_facts:
                    self.unknown[row] |= columns.fact_unknown(host_set, fact)
        self.unknown_rows = self.unknown.any(axis=1).tolist()
        self.has_unknown = any(self.unknown_rows)
        self.rows = {scope: [row for row in range(k)
                             if scopes[row] == scope]
                     for scope in host_scope.SCOPES}
        self.known = {scope: np.zeros(n, dtype=bool)
                      for scope in host_scope.SCOPES}
        self.min_rows, self.min_values = _bounds(stacked, 'minval')
        self.max_rows, self.max_values = _bounds(stacked, 'maxval')
        self.raw = np.zeros((k, n))
        # The raw weights of the hosts weighed and known, +inf (-inf)
        # elsewhere: their minimum (maximum) is the normalisation's bound.
        self.lows = np.full((k, n), np.inf)
        self.highs = np.full((k, n), -np.inf)
        self.low = np.full(k, np.nan)
        self.high = np.full(k, np.nan)
        self.shares = np.zeros((len(self.plan), n))
        self.inside = np.zeros(n, dtype=bool)
        self.placed = host_set.placed.copy()

    def _switched_off(self, inside):
        """Whether a stacked weigher is switched off for every host inside.

        The handler does not ask it for raw weights then (they may raise):
        neither may the kept weights, the handler weighs (it is rare).
        """
        for row in self.partial:
            witness = self.witness.get(row)
            if witness is not None and inside[witness]:
                continue
            on = np.flatnonzero(inside & (self.multipliers[row] != 0))
            if not len(on):
                return True
            self.witness[row] = on[0]
        return False

    def weigh(self, host_set, spec, indices):
        """Total weights of hosts ``indices``, as ``WeightHandler.weigh``.

        None when the handler must weigh them: a weigher is switched off
        for all of them (``_switched_off``), or one raised (the kept
        weights are then dropped).
        """
        inside = np.zeros(len(host_set), dtype=bool)
        inside[indices] = True
        if self.partial and self._switched_off(inside):
            return None
        changed = host_set.placed != self.placed
        if changed.any():
            self.placed = host_set.placed.copy()
            known = self.known[host_scope.STATE]
            np.greater(known, changed, out=known)
        # Bool a > b: a and not b.
        touched = np.greater(inside, self.inside)
        for scope in host_scope.SCOPES:
            try:
                asked = self._ask(scope, host_set, spec, inside)
            except Exception:
                # As MetricsWeigher's NoValidHost: the handler asks
                # again about every host weighed, to raise what it does.
                return None
            if asked is not None:
                touched |= asked
        left = np.greater(self.inside, inside)
        if left.any():
            self.lows[:, left] = np.inf
            self.highs[:, left] = -np.inf
        at = np.flatnonzero(touched)
        if len(at):
            raw = self.raw[:, at]
            if self.has_unknown:
                unknown = self.unknown[:, at]
                self.lows[:, at] = np.where(unknown, np.inf, raw)
                self.highs[:, at] = np.where(unknown, -np.inf, raw)
            else:
                self.lows[:, at] = self.highs[:, at] = raw
        self.inside = inside
        self._restack(at)
        for i, (weigher, row) in enumerate(self.plan):
            if row is None:
                share = self._share(weigher, host_set, spec, indices)
                self.shares[i, indices] = 0.0 if share is None else share
        return np.add.reduce(self.shares, axis=0)[indices]

    def _ask(self, scope, host_set, spec, inside):
        """Raw weights of the hosts weighed not known; those hosts."""
        rows, known = self.rows[scope], self.known[scope]
        if not rows:
            return None
        need = np.greater(inside, known)
        if not need.any():
            return None
        at = np.flatnonzero(need)
        self.raw[np.array(rows)[:, None], at] = [
            clip(np.asarray(weigher.raw_weights(host_set, spec, at),
                            dtype=float), weigher.minval, weigher.maxval)
            for weigher in map(self.stacked.__getitem__, rows)]
        known |= need
        return need

    def _restack(self, at):
        """Shares again: whole rows whose bounds moved, else at ``at``."""
        low = self.lows.min(axis=1)
        high = self.highs.max(axis=1)
        if self.has_unknown:
            # No host weighed is known: every one gets the worst share.
            empty = low > high
        if len(self.min_rows):
            low[self.min_rows] = self.min_values
        if len(self.max_rows):
            high[self.max_rows] = self.max_values
        if self.has_unknown and empty.any():
            low[empty] = high[empty] = 0.0
        moved = (low != self.low) | (high != self.high)
        self.low, self.high = low, high
        span = high - low
        flat = span == 0
        if len(at) and not moved.all():
            self._at(at, low, span, flat)
        for row in np.flatnonzero(moved).tolist():
            self._row(row, low[row], span[row])

    def _at(self, at, low, span, flat):
        """Shares of every stacked weigher at hosts ``at``."""
        raw = self.raw[:, at]
        span = np.where(flat, 1.0, span)
        normalised = (raw - low[:, None]) / span[:, None]
        normalised[flat] = 0.0
        block = self.multipliers[:, at] * normalised
        if self.has_unknown:
            block = np.where(self.unknown[:, at], self.worst[:, at], block)
        self.shares[self.share_rows[:, None], at] = block

    def _row(self, row, low, span):
        """Shares of stacked ``row`` at every host, computed again."""
        out = self.shares[self.share_rows[row]]
        if span == 0:
            np.multiply(self.multipliers[row], 0.0, out=out)
        else:
            # As the handler: multipliers * ((raw - low) / (high - low)).
            np.subtract(self.raw[row], low, out=out)
            np.divide(out, span, out=out)
            np.multiply(self.multipliers[row], out, out=out)
        if self.unknown_rows[row]:
            np.copyto(out, self.worst[row], where=self.unknown[row])


def _scope(weigher, spec):
    """The weigher's ``per_host`` for ``spec`` (None if it declares none)."""
    per_host_for = getattr(weigher, 'per_host_for', None)
    if per_host_for is None:
        return getattr(weigher, 'per_host', None)
    return per_host_for(spec)
