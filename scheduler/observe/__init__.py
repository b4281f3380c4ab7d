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

"""What the running service tells Prometheus (``[metrics_exporter]``).

- ``metrics``: the recorder the driver calls once per request (a no-op
  when the exporter is off) and the metric families it fills;
- ``batch``: what a worker recorded, summed before it is written;
- ``publisher``: the thread of each worker that writes what its requests
  recorded, and its gauges (host-facts age and state, deferred releases
  pending);
- ``exporter``: the parent process's side: the private directory of
  ``prometheus_client``'s multiprocess mode, the HTTP endpoint, and the
  files of dead workers.

Nothing else imports ``prometheus_client``.
"""
