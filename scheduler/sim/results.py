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

"""What one simulated run of a workload under one configuration produced.

A run is made in a process of its own (one per configuration) and handed
to the report as JSON: ``RunResult.to_dict`` / ``RunResult.from_dict``.
Times ``t`` are simulated seconds from the start of the workload.
"""

import dataclasses


@dataclasses.dataclass
class Sample:
    """The cloud at simulated time ``t``, as Placement's arithmetic sees it.

    ``capacity`` is what can be allocated of each resource class,
    ``(total - reserved) * allocation_ratio`` summed over the hosts;
    ``fits`` how many more instances of each flavor of the workload would
    fit, one flavor at a time; ``stranded`` the free resources on hosts
    where no flavor of the workload fits any more.
    """

    t: float
    used: dict
    capacity: dict
    hosts_in_use: int
    hosts_empty: int
    instances: int
    fits: dict
    stranded: dict


@dataclasses.dataclass
class RequestRecord:
    """One select_destinations of the workload and how it ended.

    ``cause`` groups refusals: the NoValidHost stage (``placement_empty``,
    ``claim``, ``request_invalid``, ``host_states``) or ``filter:<name>``
    for the filter that left no host; None when placed. ``reason`` is the
    text the caller got.
    """

    t: float
    kind: str
    flavor: str
    count: int
    placed: bool
    cause: str | None
    reason: str | None
    scheduler_ms: float


@dataclasses.dataclass
class RunResult:
    """A whole run: samples over time, every request, and where time went.

    ``timing`` has ``events``, ``wall_s`` (the workload's replay),
    ``scheduler_s`` (inside select_destinations and the casts),
    ``placement_s`` (the simulator's own calls to Placement: deletes,
    resize moves), ``simulator_s`` (the rest: the simulator's own work),
    ``events_per_s`` and ``steps`` (seconds per step of the request cycle,
    summed).
    """

    name: str
    config_files: list
    scenario: str
    seed: int
    hosts: int
    flavors: dict
    samples: list
    requests: list
    instances_per_host: dict
    alive: int
    timing: dict

    def to_dict(self):
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data):
        data = dict(data)
        data['samples'] = [Sample(**s) for s in data['samples']]
        data['requests'] = [RequestRecord(**r) for r in data['requests']]
        return cls(**data)

    @property
    def refused(self):
        return [r for r in self.requests if not r.placed]
