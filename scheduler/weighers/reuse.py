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

When every weigher summed is stacked and no bound moved, only the hosts
whose raw weights were asked again (most often the one consumed on) have
new shares: their totals are added up again one by one, the others kept.
"""

import numpy as np
from oslo_log import log as logging

from scheduler import host_scope
from scheduler.host_state import columns

LOG = logging.getLogger(__name__)

# Up to how many hosts with new shares a total is added up host by host
# (Python floats add as numpy's do) rather than for every host at once.
FEW = 8


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
        self.row_arrays = {
            scope: np.array([row for row in range(k)
                             if scopes[row] == scope], dtype=np.intp)
            for scope in host_scope.SCOPES}
        # Per scope, the hosts whose raw weights are kept: every host
        # weighed last time, but (STATE) those consumed on since.
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
        # Every host's total, while every weigher summed is stacked and it
        # was added up since (None: add every row up again).
        self.total = None
        self.all_stacked = len(stacked) == len(self.plan)
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
        changed = np.flatnonzero(host_set.placed != self.placed)
        if len(changed):
            self.placed[changed] = host_set.placed[changed]
            self.known[host_scope.STATE][changed] = False
        # Bool a > b: a and not b.
        touched = np.greater(inside, self.inside)
        try:
            if touched.any():
                for scope in host_scope.SCOPES:
                    need = np.flatnonzero(np.greater(inside,
                                                     self.known[scope]))
                    if self._ask(scope, host_set, spec, need):
                        touched[need] = True
                at = np.flatnonzero(touched)
            elif len(changed):
                # Every host weighed was weighed last time, and is known
                # but where consumed on since.
                at = changed[inside[changed]]
                if not self._ask(host_scope.STATE, host_set, spec, at):
                    at = at[:0]
            else:
                at = changed
        except Exception:
            # As MetricsWeigher's NoValidHost: the handler asks again
            # about every host weighed, to raise what it does.
            LOG.debug('Kept weights dropped: a weigher raised',
                      exc_info=True)
            return None
        left = np.greater(self.inside, inside)
        if left.any():
            self.lows[:, left] = np.inf
            self.highs[:, left] = -np.inf
        if len(at):
            # Every host (the first weighing): slices, not indices.
            cols = slice(None) if len(at) == len(inside) else at
            raw = self.raw[:, cols]
            if self.has_unknown:
                unknown = self.unknown[:, cols]
                self.lows[:, cols] = np.where(unknown, np.inf, raw)
                self.highs[:, cols] = np.where(unknown, -np.inf, raw)
            else:
                self.lows[:, cols] = self.highs[:, cols] = raw
        self.inside = inside
        if self._restack(at):
            return self.total[indices]
        for i, (weigher, row) in enumerate(self.plan):
            if row is None:
                share = self._share(weigher, host_set, spec, indices)
                self.shares[i, indices] = 0.0 if share is None else share
        total = np.add.reduce(self.shares, axis=0)
        if self.all_stacked:
            self.total = total
        return total[indices]

    def _ask(self, scope, host_set, spec, need):
        """Raw weights at hosts ``need`` of the rows of ``scope``.

        False when there was nothing to ask.
        """
        rows = self.row_arrays[scope]
        if not len(rows) or not len(need):
            return False
        # Every host (the first weighing): whole rows, not indices.
        at = (rows,) if len(need) == self.raw.shape[1] else (
            rows[:, None], need)
        self.raw[at] = [
            clip(np.asarray(weigher.raw_weights(host_set, spec, need),
                            dtype=float), weigher.minval, weigher.maxval)
            for weigher in map(self.stacked.__getitem__, rows.tolist())]
        self.known[scope][need] = True
        return True

    def _restack(self, at):
        """Shares again: whole rows whose bounds moved, else at ``at``.

        True when the totals kept were brought up to date too (no bound
        moved, a few hosts at most changed): ``self.total`` holds them.
        """
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
        if (self.total is not None and len(at) <= FEW and
                not moved.any()):
            self._few(at.tolist(), low.tolist(), span.tolist())
            return True
        flat = span == 0
        if len(at) and not moved.all():
            self._at(at, low, span, flat)
        for row in np.flatnonzero(moved).tolist():
            self._row(row, low[row], span[row])
        return False

    def _few(self, at, low, span):
        """Shares and totals at hosts ``at``, one host at a time.

        The numbers of ``_at`` (and of the handler), and the total added
        up in the handler's order, from 0.
        """
        k = len(low)
        rows = range(k)
        for host in at:
            raw = self.raw[:, host].tolist()
            multipliers = self.multipliers[:, host].tolist()
            unknown = (self.unknown[:, host].tolist() if self.has_unknown
                       else None)
            column = [0.0] * k
            for row in rows:
                if unknown is not None and unknown[row]:
                    column[row] = float(self.worst[row, host])
                elif span[row] == 0:
                    column[row] = multipliers[row] * 0.0
                else:
                    column[row] = multipliers[row] * (
                        (raw[row] - low[row]) / span[row])
            # Every row is stacked here.
            self.shares[:, host] = column
            total = 0.0
            for share in column:
                total += share
            self.total[host] = total

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
