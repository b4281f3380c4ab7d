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

"""What a plugin's answer about one host depends on: its ``per_host``.

Within a multi-create the filters and weighers are asked again for every
instance, and between two instances only the hosts the earlier ones were
consumed on change. A filter or weigher class may declare, as its
``per_host`` class attribute, that its answer about a host depends on that
host alone, so that its handler asks it again only where the answer may
have changed, within one request (never across requests):

- ``STATE``: the answer depends only on the host's own state, what the
  request's earlier instances consumed on it included (its free
  resources, ``placed``, ``has_room``), and on the request's constants.
  The handler asks again about the hosts consumed since it last asked.
- ``FIXED``: the answer depends only on what consuming does not change on
  a host (its facts, traits, aggregates, cell, zone and capacity) and on
  the request's constants. The handler asks once per host and request.

Neither may read another host, the instance's own uuid
(``spec.instance_uuid``) or the instance group's ``hosts`` (which grow
with the hosts the earlier instances went to). A weigher that declares
either is asked for its multipliers once per request. ``None``, the
default, declares nothing: the plugin is asked about every host still in
for every instance, as a third-party plugin is unless it says otherwise.
"""

STATE = 'state'
FIXED = 'fixed'
SCOPES = (STATE, FIXED)
