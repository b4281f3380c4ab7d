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

"""The wire forms of the dry runs (``scheduler.rpc.admin`` 1.1).

Plain JSON-able dicts, written by the server from the driver's records
(``scheduler.drivers.dry_run``) and printed by ``scheduler-plan``. They
go to admins only: host names and the operator's detail are in them.

The capacity count's bounds, read here with their ceilings: ``limit``
(the Placement query's, at most ``MAX_LIMIT``), ``max_per_host`` (at most
``MAX_MAX_PER_HOST``), ``seconds`` (at most ``MAX_SECONDS``), ``top``
(hosts listed).
"""

from scheduler.rpc import readers

LIMIT = 10000
MAX_LIMIT = 100000
MAX_PER_HOST = 1000
MAX_MAX_PER_HOST = 10000
SECONDS = 30
MAX_SECONDS = 300
TOP = 10
MAX_TOP = 100000


def read_capacity_bounds(limit, max_per_host, seconds, top):
    """``(limit, max_per_host, seconds, top)``, each checked."""
    return (readers.read_int(limit, 'limit', minimum=1, maximum=MAX_LIMIT),
            readers.read_int(max_per_host, 'max_per_host', minimum=1,
                             maximum=MAX_MAX_PER_HOST),
            readers.read_int(seconds, 'seconds', minimum=1,
                             maximum=MAX_SECONDS),
            readers.read_int(top, 'top', minimum=1, maximum=MAX_TOP))


def _refusal(refusal):
    if refusal is None:
        return None
    return {'reason': refusal.reason, 'detail': refusal.detail}


def _host(selection):
    return {'host': selection.service_host, 'node': selection.nodename}


def plan_to_wire(plan):
    """``{"instances", "refused", "explanation", "timings"}``."""
    return {
        'instances': [[_host(s) for s in choices]
                      for choices in plan.selections or ()],
        'refused': _refusal(plan.refusal),
        'explanation': [[title, list(lines)]
                        for title, lines in plan.explanation],
        'timings': plan.timings,
    }


def capacity_to_wire(counted, top):
    """The count's fields; ``hosts`` cut to the best ``top``."""
    return {
        'total': counted.total,
        'hosts': [list(h) for h in counted.hosts[:top]],
        'hosts_with_room': len(counted.hosts),
        'offered': counted.offered,
        'candidates': counted.candidates,
        'limit': counted.limit,
        'passed': counted.passed,
        'filtered': counted.filtered,
        'stopped': counted.stopped,
        'seconds': round(counted.seconds, 3),
        'refused': _refusal(counted.refusal),
    }
