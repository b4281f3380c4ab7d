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

"""Each host's fate in one request: the filter that removed it, or its
weight.

With ``[filter_scheduler] explain = True`` the filter handler logs, at
INFO, one line per host after the filters of every instance of a request
(the filter or host-name step that removed the host, or "passed"), then
one per weighed host with its weight and each weigher's share. Listeners
added to the driver's ``Explainer`` (``scheduler-sim --explain``) receive
the lines whatever the option and the log level. Without either nothing
is formatted: the cost is one boolean test per instance. (At DEBUG the
handler logs, per filter, the hosts it removed.)

The filter step's lines come from ``fate_lines``, the weigh step's from
``format_weights`` (the hosts that passed, with their total weight and
each weigher's share); both go to ``Explainer.emit`` under ``title()``,
so that the two halves of one instance read together.
"""

import threading

from oslo_log import log as logging

LOG = logging.getLogger(__name__)

PASSED = -1
# The host was already out when this instance's filters started (an
# earlier instance's filters or resources removed it).
EARLIER = -2


class Explainer:
    """Where one driver's explanations go: the log, and its listeners.

    ``log``: whether to log them at INFO (``[filter_scheduler] explain``).
    The driver makes one and hands it to the steps that explain (the
    filter handler, the Placement adapter).
    """

    def __init__(self, log=False):
        self.log = log
        self._listeners = []
        self._lock = threading.Lock()

    def add_listener(self, callback):
        """Call ``callback(title, lines)`` for every explanation."""
        with self._lock:
            self._listeners = self._listeners + [callback]

    def remove_listener(self, callback):
        with self._lock:
            self._listeners = [c for c in self._listeners
                               if c is not callback]

    @property
    def has_listeners(self):
        return bool(self._listeners)

    @property
    def active(self):
        """Whether anyone reads explanations (the log, a listener)."""
        return self.log or bool(self._listeners)

    def emit(self, title, lines):
        """Log ``lines`` at INFO if asked to, and tell the listeners."""
        if self.log:
            for line in lines:
                LOG.info('%(title)s: %(line)s',
                         {'title': title, 'line': line})
        self.tell_listeners(title, lines)

    def tell_listeners(self, title, lines):
        """Tell the listeners only (what is not worth a log line)."""
        for callback in self._listeners:
            callback(title, lines)


def title(step, spec, index):
    """``<step>: instance <n> of <instance uuid or "request">``."""
    return '%s: instance %d of %s' % (
        step, index + 1, spec.instance_uuid or 'request')


def fate_lines(host_set, fate, step_names):
    """``host: <fate>`` for every host, in host order."""
    lines = []
    for i, (host, node) in enumerate(zip(host_set.host_names,
                                         host_set.node_names)):
        code = int(fate[i])
        if code == PASSED:
            text = 'passed'
        elif code == EARLIER:
            text = 'out before this instance'
        else:
            text = 'removed by %s' % step_names[code]
        lines.append('%s (%s): %s' % (host, node, text))
    return lines


def format_weights(host_set, indices, weights, per_weigher=None):
    """``host: weight W [name w, ...]`` for the weighed hosts, best first.

    :param indices: host indices that were weighed.
    :param weights: their total weights, aligned with ``indices``.
    :param per_weigher: optional ``{weigher name: weights aligned with
        indices}`` (normalised and multiplied, as summed).
    """
    order = sorted(range(len(indices)), key=lambda k: -weights[k])
    lines = []
    for k in order:
        i = indices[k]
        text = '%s (%s): weight %.4f' % (host_set.host_names[i],
                                         host_set.node_names[i], weights[k])
        if per_weigher:
            text += ' [%s]' % ', '.join(
                '%s %.4f' % (name, values[k])
                for name, values in sorted(per_weigher.items()))
        lines.append(text)
    return lines
