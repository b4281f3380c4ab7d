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

"""One scheduling cycle, a module per step, in the order they run.

The ``filter_scheduler`` driver runs, for each ``select_destinations``:

1. ``request``: the per-request record every step reads and writes (the
   spec, the Placement query, the host set, the claims, the trace, the
   timings).
2. ``query``: the ``GET /allocation_candidates`` query of the spec.
3. ``candidates``: Placement's answer to it; when it is empty,
   ``diagnose`` asks Placement again with one constraint relaxed at a time
   and NoValidHost names the one no provider meets.
4. ``host_states``: one host state per root provider, with the host facts.
5. ``filter``: the hosts that pass every filter, for one instance.
6. ``weigh``: their weights.
7. ``rank``: the order to try them in.
8. ``claim``: the first host Placement accepts, consumed locally; undone
   when the request fails.
9. ``select``: the Selections, with alternates.

Steps 5 to 8 run once per instance of a multi-create. ``rebuild`` is the
short cycle of a rebuild check (no query, no claim); ``capacity`` counts
how many instances fit, for a dry run (``Request.dry_run``: no claim).
Each step is a function of the request and of the collaborators it needs
(Placement, the plugins), so a test can run one step alone.
"""
