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

"""RAMWeigher: weighs hosts by their free RAM (MiB).

With a positive ``[filter_scheduler] ram_weight_multiplier`` (or the
aggregate metadata key of that name) the host with the most free wins
(spreading); negative stacks.
"""

from scheduler.host_state import host_state as hs
from scheduler.weighers import base


class RAMWeigher(base.FreeResourceWeigher):
    """Raw weight: the host's free RAM (MiB)."""

    resource_class = hs.MEMORY_MB
    multiplier_option = 'ram_weight_multiplier'
