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

"""Decoding Placement's JSON answers into plain values.

Every answer but ``GET /allocation_candidates`` (typed by
``scheduler.placement.candidates``) is decoded here. orjson decodes into
the same plain values as the standard decoder (dicts, lists, str, int,
float, bool, None), faster. What orjson refuses that the standard decoder
takes (an integer beyond 64 bits) is decoded by the standard decoder, so
a valid answer is never refused here; an invalid one raises
``ValueError`` either way.
"""

import orjson
from oslo_serialization import jsonutils


def loads(raw):
    """The value of the JSON document ``raw`` (bytes or str)."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return jsonutils.loads(raw)
