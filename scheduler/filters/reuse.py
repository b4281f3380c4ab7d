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

"""What one request's filters answered, kept between its instances.

For a filter that declares ``per_host`` (``scheduler.host_scope``),
``FilterAnswers`` keeps which hosts it was asked about and which of them
passed, and asks it only about the hosts still in that it never judged
or (``STATE``) that were consumed on since it did: its mask is the one
it would have answered.
"""

import numpy as np

from scheduler import host_scope


class FilterAnswers:
    """The per-host filters' answers of one request over one host set."""

    def __init__(self, spec, host_set):
        self.spec = spec
        self._placed = host_set.placed.copy()
        # {filter: (asked, passed)}: bool arrays over the hosts.
        self._answers = {}

    def update(self, host_set):
        """Forget the ``STATE`` answers about hosts consumed since."""
        changed = host_set.placed != self._placed
        if not changed.any():
            return
        self._placed = host_set.placed.copy()
        for flt, (asked, _passed) in self._answers.items():
            if flt.per_host == host_scope.STATE:
                asked &= ~changed

    def passing_mask(self, flt, host_set, spec, mask):
        """``flt.passing_mask(host_set, spec, mask)``, asked where needed."""
        answer = self._answers.get(flt)
        if answer is None:
            new = flt.passing_mask(host_set, spec, mask)
            self._answers[flt] = (mask.copy(), np.array(new, dtype=bool))
            return new
        asked, passed = answer
        ask = mask & ~asked
        if ask.any():
            got = flt.passing_mask(host_set, spec, ask)
            passed[ask] = got[ask]
            asked |= ask
        return mask & passed
