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

"""Entry point of oslo-config-generator (``oslo.config.opts``)."""

from scheduler.conf import default
from scheduler.conf import filter_scheduler
from scheduler.conf import filters
from scheduler.conf import host_facts
from scheduler.conf import metrics
from scheduler.conf import metrics_exporter
from scheduler.conf import notifications
from scheduler.conf import placement
from scheduler.conf import request_filters
from scheduler.conf import scheduler
from scheduler.conf import weighers

_MODULES = (default, scheduler, request_filters, filter_scheduler, filters,
            weighers, metrics, placement,
            host_facts, notifications, metrics_exporter)


def list_opts():
    result = []
    for module in _MODULES:
        result.extend(module.list_opts().items())
    return result
