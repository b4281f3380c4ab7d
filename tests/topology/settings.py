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

"""What every row of the topology matrix shares: servers and options."""

# Three scheduler-server processes of two workers each.
SERVERS = ('sched-1', 'sched-2', 'sched-3')
WORKERS = 2
# Four client processes (conductors), each with a pool of threads.
CLIENTS = 4
THREADS = 16
# A caller's RPC timeout: a call whose answer is lost ends by then. The
# slowest answer of the 2,000-request row takes ~30-40 s on a shared
# 2-core machine: twice that and more, so that a slower one passes too.
CALL_TIMEOUT = 120

SERVER_CONF = {
    'oslo_messaging_rabbit': {'rabbit_quorum_queue': 'true'},
    # The suite has no Nova database: no host-facts source besides rpc,
    # and no filter that needs facts only a Nova database gives.
    'host_facts': {'sources': ''},
    'filter_scheduler': {
        'enabled_filters': 'ComputeCapabilitiesFilter,'
                           'ImagePropertiesFilter,'
                           'ServerGroupAntiAffinityFilter,'
                           'ServerGroupAffinityFilter',
        'weight_classes': 'RAMWeigher,CPUWeigher,DiskWeigher',
        # Several schedulers read the same candidates: spread their
        # first choices (Nova's advice for more than one scheduler), or
        # they all claim the same host and conflict.
        'host_subset_size': 5},
    # A claim whose release failed (Placement down) is released again
    # soon, so that a row can check that nothing stays half-claimed.
    'scheduler': {'release_retry_interval': 2},
}
