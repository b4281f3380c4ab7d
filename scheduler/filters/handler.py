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

"""Run the filters of a request and record what each removed.

The filters come from ``[filter_scheduler] enabled_filters`` (stevedore
namespace ``scheduler.filters``), loaded once when the handler is built; a
name that does not load raises ``PluginLoadError`` naming it.

``FilterHandler.run`` works on a boolean mask over the hosts of a
``HostStateSet``: each filter is asked which of the hosts still in pass
(``BaseHostFilter.passing_mask``). Each step is recorded in a ``FilterTrace``,
whose ``reason()`` says which step emptied the list, and whose ``fate``
says which step removed each host (``scheduler.filters.explain`` prints
it).

As Nova's: on a rebuild check (``_nova_check_type`` hint ``rebuild``) the
filters without ``RUN_ON_REBUILD`` let every host pass; within a
multi-create, the hosts the earlier instances went to join the instance
group's ``hosts`` for the affinity filters. The filters that declare
``per_host`` (``scheduler.host_scope``) are asked, from the second
instance on, only about the hosts still in that may have changed
(``reuse.FilterAnswers``); the steps are the same.
"""

import copy
import dataclasses
import weakref

import numpy as np
from oslo_config import cfg
from oslo_log import log as logging

from scheduler.filters import base
from scheduler.filters import explain
from scheduler.filters import requested_hosts
from scheduler.filters import reuse
from scheduler.filters import utils
from scheduler import host_scope
from scheduler.host_state import columns
from scheduler.host_state import facts as host_facts
from scheduler import plugins

LOG = logging.getLogger(__name__)

ROOM_STEP = 'resources taken by earlier instances'
MAX_LOGGED_HOSTS = 50


@dataclasses.dataclass
class FilterStep:
    name: str
    before: int
    after: int
    # Why the step removed every host without judging them, or which
    # facts the hosts it removed lacked, if it did.
    why: str | None = None

    def __str__(self):
        text = '%s %d->%d' % (self.name, self.before, self.after)
        return '%s (%s)' % (text, self.why) if self.why else text


class FilterTrace:
    """Host counts before and after every filter step of one run."""

    def __init__(self, total, fate=None):
        self.total = total
        self.steps = []
        # Per host: index of the step that removed it, explain.PASSED, or
        # explain.EARLIER (out before this run).
        self.fate = fate

    def record(self, name, before, after, removed=None, why=None):
        if removed is not None and self.fate is not None:
            self.fate[removed] = len(self.steps)
        self.steps.append(FilterStep(name, before, after, why))

    def explain(self, host_set):
        """One ``host (node): fate`` line per host."""
        return explain.fate_lines(host_set, self.fate,
                                  [step.name for step in self.steps])

    @property
    def passed(self):
        return self.steps[-1].after if self.steps else self.total

    @property
    def emptied_by(self):
        """Name of the step that left no host, or None."""
        for step in self.steps:
            if step.after == 0:
                return step.name
        return None

    def summary(self):
        return ', '.join(str(step) for step in self.steps)

    def reason(self):
        """E.g. ``0 of 1000 hosts passed: ComputeFilter 1000->990, ...``."""
        text = '%d of %d hosts passed' % (self.passed, self.total)
        if self.steps:
            text += ': ' + self.summary()
        return text


def _host_names(host_set, mask):
    indices = np.flatnonzero(mask)
    names = [host_set.host_names[i] for i in indices[:MAX_LOGGED_HOSTS]]
    if len(indices) > MAX_LOGGED_HOSTS:
        names.append('... %d more' % (len(indices) - MAX_LOGGED_HOSTS))
    return ', '.join(names)


class FilterHandler:
    """The configured filters, run in order over a ``HostStateSet``."""

    def __init__(self, conf=None, filters=None, explainer=None,
                 incremental=True):
        """Load the filters (unless given).

        :param incremental: keep the answers of the filters that declare
            ``per_host`` between the instances of a request (False: ask
            them again about every host, to compare with).
        """
        conf = conf if conf is not None else cfg.CONF
        if filters is None:
            filters = plugins.load_named(
                plugins.FILTER_NAMESPACE,
                conf.filter_scheduler.enabled_filters, conf,
                interface=base.BaseHostFilter)
        # [(name, filter)]; the name is the entry point name.
        self.filters = list(filters)
        if explainer is None:
            explainer = explain.Explainer(conf.filter_scheduler.explain)
        self.explainer = explainer
        # Whether a filter's answers may be kept between the instances of
        # a multi-create, and {host set: reuse.FilterAnswers} of those
        # running: kept per host set, so never across requests.
        self._reusable = incremental and any(
            _per_host(flt) for _name, flt in self.filters)
        self._answers = weakref.WeakKeyDictionary()

    def _step(self, trace, name, host_set, old, new, why=None,
              before=None):
        """Record a step; the number of hosts it left.

        :param before: how many hosts ``old`` holds, if known.
        """
        if before is None:
            before = np.count_nonzero(old)
        after = np.count_nonzero(new)
        trace.record(name, before, after,
                     old & ~new if after < before else None, why)
        if after < before and LOG.isEnabledFor(logging.DEBUG):
            LOG.debug('Filter %(name)s removed %(n)d hosts: %(hosts)s',
                      {'name': name, 'n': before - after,
                       'hosts': _host_names(host_set, old & ~new)})
        return after

    def run(self, host_set, spec, mask=None, index=0):
        """Filter hosts for instance ``index`` of ``spec``.

        :param mask: hosts still in from the previous instance (all hosts
            when None); it is not modified.
        :returns: ``(mask, FilterTrace)``; ``mask`` is True for the hosts
            that passed every step.
        """
        if mask is None:
            mask = np.ones(len(host_set), dtype=bool)
        fate = np.where(mask, explain.PASSED, explain.EARLIER)
        count = np.count_nonzero(mask)
        trace = FilterTrace(count, fate)
        answers = self._answers_for(host_set, spec, index)
        if index > 0:
            spec = _with_placed_group_hosts(host_set, spec)
        steps = []
        if index == 0:
            steps.extend(requested_hosts.requested_host_masks(
                host_set, spec))
        new = mask & host_set.has_room
        if np.count_nonzero(new) < count:
            count = self._step(trace, ROOM_STEP, host_set, mask, new,
                               before=count)
            mask = new
        for name, step_mask in steps:
            if not count:
                break
            new = mask & step_mask
            count = self._step(trace, name, host_set, mask, new,
                               before=count)
            mask = new
        for name, flt in self._filters_for(spec):
            if not count:
                break
            if not flt.run_filter_for_index(index):
                continue
            unknown = flt.unknown_fact(host_set, spec)
            if unknown:
                # Fail closed: no host passes on a fact not known.
                new = np.zeros(len(host_set), dtype=bool)
            else:
                if answers is not None and _per_host(flt):
                    new = answers.passing_mask(flt, host_set, spec, mask)
                else:
                    new = flt.passing_mask(host_set, spec, mask)
                if flt.reads_facts:
                    unknown = _missing_facts(flt, host_set, mask & ~new)
            count = self._step(trace, name, host_set, mask, new, unknown,
                               before=count)
            mask = new
        if LOG.isEnabledFor(logging.DEBUG):
            LOG.debug('Filters for instance %(index)d: %(reason)s',
                      {'index': index, 'reason': trace.reason()})
        self._explain(host_set, spec, trace, index)
        return mask, trace

    def _answers_for(self, host_set, spec, index):
        """The per-host filters' answers kept for ``spec``, or None.

        Started afresh for the first instance of a request.
        """
        if not self._reusable:
            return None
        answers = None if index == 0 else self._answers.get(host_set)
        if answers is None or answers.spec is not spec:
            answers = self._answers[host_set] = reuse.FilterAnswers(
                spec, host_set)
        else:
            answers.update(host_set)
        return answers

    def _filters_for(self, spec):
        """The ``(name, filter)`` pairs that judge hosts for ``spec``.

        As Nova: forced hosts or nodes are not filtered, but for a rebuild
        check, where only the filters with ``RUN_ON_REBUILD`` run.
        """
        rebuild = utils.is_rebuild(spec)
        if (spec.force_hosts or spec.force_nodes) and not rebuild:
            return []
        return [(name, flt) for name, flt in self.filters
                if not rebuild or flt.RUN_ON_REBUILD]

    def limits(self, host_state, spec):
        """What the chosen host's own claim must respect, as a dict.

        Nova's filters leave these in ``host_state.limits`` when they pass
        a host, and the Selection carries them to the compute; here the
        filters that ran for the request are asked for the host chosen.
        """
        found = {}
        for _name, flt in self._filters_for(spec):
            found.update(flt.limits(host_state, spec))
        return found

    def _explain(self, host_set, spec, trace, index):
        if self.explainer.active:
            self.explainer.emit(explain.title('filter', spec, index),
                                trace.explain(host_set))


def _per_host(flt):
    """Whether ``flt``'s answers about a host may be kept (``per_host``)."""
    return getattr(flt, 'per_host', None) in host_scope.SCOPES


def _missing_facts(flt, host_set, removed):
    """Why some of the hosts ``flt`` removed could not pass, or None.

    E.g. ``3 of them with instance list unknown: <the store's reason>``:
    the facts the filter reads that no source reported for those hosts.
    """
    if not flt.reads_facts or not removed.any():
        return None
    notes = []
    for fact in sorted(flt.reads_facts):
        count = int((removed & columns.fact_unknown(host_set, fact)).sum())
        if count:
            notes.append('%d of them with %s unknown: %s' % (
                count, host_facts.DESCRIBED[fact],
                host_set.missing_reasons.get(fact, 'no source reported it')))
    return '; '.join(notes) or None


def _with_placed_group_hosts(host_set, spec):
    """``spec`` whose group hosts include where this request placed some.

    Nova's scheduler appends each chosen host to the group's ``hosts``
    so that the next instance of a multi-create follows (affinity).
    """
    group = spec.instance_group
    if group is None:
        return spec
    placed = [host_set.host_names[i]
              for i in np.flatnonzero(host_set.placed)]
    extra = [h for h in placed if h not in group.hosts]
    if not extra:
        return spec
    spec = copy.copy(spec)
    spec.instance_group = dataclasses.replace(group,
                                              hosts=group.hosts + extra)
    return spec
