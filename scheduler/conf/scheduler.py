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

"""Options of the [scheduler] group (Nova's names where Nova has the knob)."""

from oslo_config import cfg


def _scheduler_group():
    # A new OptGroup for every ConfigOpts: register_group() copies it
    # shallowly, so a shared one would share overrides between them.
    return cfg.OptGroup(
        'scheduler', title='Scheduler options',
        help='How the service runs and how much it asks of Placement.')


scheduler_opts = [
    cfg.StrOpt(
        'driver',
        default='filter_scheduler',
        help='The scheduler driver, by its entry point name in the '
             '``scheduler.driver`` namespace.'),
    cfg.IntOpt(
        'max_attempts',
        default=3,
        min=1,
        max=100,
        help='Maximum number of attempts to schedule an instance. The '
             'chosen host is the first; up to ``max_attempts - 1`` '
             'alternates are returned with it when the caller asks for '
             'them.'),
    cfg.IntOpt(
        'max_placement_results',
        default=1000,
        min=1,
        max=100000,
        help='Value of the ``limit`` parameter of the Placement '
             '``GET /allocation_candidates`` query. With '
             '``placement_results_per_instance`` set, the largest one.'),
    cfg.IntOpt(
        'placement_results_per_instance',
        default=0,
        min=0,
        max=100000,
        help='Ask Placement for this many allocation candidates per '
             'instance of the request: ``limit = min(max_placement_'
             'results, placement_results_per_instance x instances)``, as '
             'kube-scheduler scores a sample of the nodes. 0 (the '
             'default) always asks ``max_placement_results``. Only worth '
             'it with Placement\'s ``[placement] '
             'randomize_allocation_candidates = True``: otherwise the '
             'sample is the first providers of Placement\'s own order '
             'and the weighers stop spreading (or packing) across the '
             'cloud. Even then the weighers choose the best of a random '
             'sample, not of the cloud, so packing is looser (see the '
             'limit table of the README), for a modest saving: '
             'Placement computes every candidate before it cuts the '
             'answer, the scheduler decodes and weighs fewer. A cut '
             'answer none of whose hosts can be chosen (filters, '
             'claims) is asked again with ``max_placement_results`` '
             'before NoValidHost (``scheduler.cycle.widen``), so only a '
             'driver that runs that step scales the limit; for any '
             'other the option is ignored, with a warning. Not applied '
             'to a request for a host without a node (no limit) nor to '
             'a rebuild (no query).'),
    cfg.IntOpt(
        'remembered_answers',
        default=4,
        min=0,
        max=64,
        help='How many of Placement\'s latest allocation candidates '
             'answers, one per distinct query (a flavor, roughly), each '
             'worker keeps to decode and build the next answer to the '
             'same query from: the parts of an answer that did not '
             'change since the last one are neither decoded nor read '
             'again (see doc/source/architecture.rst, "What one request '
             'leaves the next"). Each kept answer holds its body, values '
             'and host rows: about 2 MB per 1,000 providers it offered '
             '(18 MB at 10,000). 0 keeps '
             'none: every answer is decoded and read afresh, at several '
             'times the CPU at 10,000 hosts, with the same decisions.'),
    cfg.IntOpt(
        'diagnosis_max_queries',
        default=10,
        min=0,
        max=100,
        help='When Placement offers no allocation candidate for a '
             'request, at most this many extra ``GET '
             '/allocation_candidates`` calls are made, each with one '
             'constraint of the query relaxed, to name the constraint no '
             'provider meets (and, for a resource, the largest free '
             'amount). They run in parallel, only for requests that '
             'failed. 0 turns the diagnosis off: NoValidHost then only '
             'describes the query.'),
    cfg.FloatOpt(
        'diagnosis_reuse_seconds',
        default=10.0,
        min=0.0,
        max=3600.0,
        help='A diagnosis of the same query made this many seconds ago or '
             'less is given again instead of asking Placement anew: a '
             'burst of requests against a full cloud costs Placement one '
             'diagnosis, not one per request. Its counts and largest free '
             'amounts are then that old. 0 diagnoses every refusal.'),
    cfg.IntOpt(
        'diagnosis_concurrency',
        default=2,
        min=1,
        max=64,
        help='Diagnoses running at once in one worker process. A refusal '
             'made while that many run is not diagnosed (its NoValidHost '
             'says so), so that refusals never queue behind each other '
             'or add more load to a Placement already busy.'),
    cfg.IntOpt(
        'workers',
        min=1,
        max=256,
        help='Number of worker processes serving RPC. Defaults to the '
             'number of CPUs.'),
    cfg.IntOpt(
        'gc_threshold',
        default=50000,
        min=0,
        max=10000000,
        help='Allocations of container objects between two collections '
             'of the youngest generation of Python\'s garbage collector in '
             'a worker, set once it started (Python\'s own is 700; 0 '
             'keeps it). A request frees its data by reference counting '
             'and what start-up built is frozen out of the collector\'s '
             'sight, so collecting every 700 allocations only walks the '
             'decoded answer of the request in flight, again and again; '
             'a larger threshold collects about once per request (see '
             'the README on speed).'),
    cfg.StrOpt(
        'default_cell_uuid',
        default='00000000-0000-0000-0000-000000000001',
        regex=r'^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$',
        help='Cell UUID put in every Selection when no host-facts source '
             'maps the host to a cell. Set it to the UUID of the single '
             'cell of a deployment without cells v2 mappings.'),
    cfg.IntOpt(
        'claim_attempts',
        default=4,
        min=1,
        max=20,
        help='How many times one claim is sent to Placement when it '
             'answers ``placement.concurrent_update`` (another writer '
             'changed the provider or consumer first).'),
    cfg.FloatOpt(
        'claim_retry_delay',
        default=0.05,
        min=0.0,
        max=5.0,
        help='Seconds to wait before the first claim retry; it doubles '
             'for each further retry.'),
    cfg.IntOpt(
        'max_claim_conflicts',
        default=10,
        min=1,
        max=10000,
        help='How many hosts one instance may be refused by Placement '
             '(their capacity taken by concurrent requests since the '
             'candidates were read) before the request gets NoValidHost. '
             'Each refusal costs a claim round trip to Placement; this '
             'bounds how long a request that lost a race takes to say so.'),
    cfg.IntOpt(
        'release_retry_interval',
        default=15,
        min=1,
        max=3600,
        help='Seconds between attempts to release a claim whose release '
             'failed (Placement unreachable or timing out) after its '
             'request failed. Each attempt removes the allocations only if '
             'they are still the ones this scheduler wrote (a later claim '
             'for the same consumer is left alone).'),
    cfg.IntOpt(
        'release_retry_limit',
        default=40,
        min=1,
        max=100000,
        help='How many times a failed release is attempted again before '
             'it is given up and logged at ERROR: the allocation may then '
             'remain in Placement until removed by hand.'),
    cfg.IntOpt(
        'max_instances_per_request',
        default=1000,
        min=1,
        max=100000,
        help='Largest number of instances one select_destinations call '
             'may ask for. Larger requests are refused with NoValidHost.'),
    cfg.IntOpt(
        'max_request_items',
        default=10000,
        min=1,
        max=1000000,
        help='Largest number of items in any list or dict of a request: '
             'instance uuids, scheduler hints and the values of one hint, '
             'hosts to ignore or force, extra specs, image properties, '
             'instance info of a cast. A request with more is refused '
             'with NoValidHost naming the field.'),
    cfg.IntOpt(
        'max_request_string_length',
        default=65535,
        min=255,
        max=16777216,
        help='Longest string any field of a request may hold. A request '
             'with a longer one is refused with NoValidHost naming the '
             'field.'),
]


def register_opts(conf):
    group = _scheduler_group()
    conf.register_group(group)
    conf.register_opts(scheduler_opts, group=group)


def list_opts():
    return {_scheduler_group(): scheduler_opts}
