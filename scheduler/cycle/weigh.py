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

"""Step ``weigh``: a weight per host that passed the filters.

``scheduler.weighers.handler.WeightHandler`` sums the configured weighers'
normalised, multiplied weights; with an explanation asked for, each
weigher's share is shown too. When no host could be claimed, the top
weighed hosts and each weigher's share go to the operator's account of
the refusal (``top_weighed``).
"""

from scheduler import exception
from scheduler.filters import explain

# How many weighed hosts the operator's account of a refusal names.
TOP_WEIGHED = 5


def run(request, weighers, indices, index=0):
    """Weights aligned with ``indices`` (host indices of the host set)."""
    host_set, spec = request.host_set, request.spec
    explainer = request.explainer
    with request.timed('weigh'):
        if explainer is None or not explainer.active:
            return weighers.weigh(host_set, spec, indices,
                                  more=index + 1 < request.count)
        per_weigher = {}
        weights = weighers.weigh(host_set, spec, indices,
                                 per_weigher=per_weigher)
    explainer.emit(explain.title('weigh', spec, index),
                   explain.format_weights(host_set, indices, weights,
                                          per_weigher))
    return weights


def top_weighed(refusal, request, weighers, indices):
    """``refusal`` with the top weighed hosts in its operator's detail.

    Failure path only: the weights are computed again, with each
    weigher's share, over the same hosts (so normalised as they were).
    """
    per_weigher = {}
    weights = weighers.weigh(request.host_set, request.spec, indices,
                             per_weigher=per_weigher)
    lines = explain.format_weights(request.host_set, indices, weights,
                                   per_weigher)
    return exception.NoValidHost(refusal.reason, detail='%s; top weighed: %s'
                                 % (refusal.detail or refusal.reason,
                                    '; '.join(lines[:TOP_WEIGHED])))
