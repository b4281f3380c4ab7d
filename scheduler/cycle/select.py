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

"""Step ``select``: the Selections returned, chosen host first.

Each instance's Selection carries its claimed allocation request and the
limits the filters leave for the compute's own claim. Alternates (up to
``[scheduler] max_attempts - 1``) are the next hosts of the last ranked
order, in the chosen host's cell, not chosen for another instance of the
request, with room left.
"""

from scheduler.objects import selection as selection_obj


def selection(host, spec, allocation_request, version, filters):
    return selection_obj.Selection.from_host(
        host, allocation_request, version,
        limits=filters.limits(host, spec))


def selections(request, filters, max_attempts):
    """One list of ``Selection`` per instance of ``request``."""
    with request.timed('select'):
        host_set, spec = request.host_set, request.spec
        chosen = {claimed.index for claimed in request.claimed}
        result = []
        for claimed in request.claimed:
            choices = [selection(host_set[claimed.index], spec,
                                 claimed.allocation_request,
                                 request.version, filters)]
            if request.return_alternates:
                choices += _alternates(request, claimed, chosen, filters,
                                       max_attempts - 1)
            result.append(choices)
    return result


def _alternates(request, claimed, chosen, filters, wanted):
    host_set = request.host_set
    # Read host by host: the whole list costs more than the few read.
    cell = host_set.cell_uuid(claimed.index)
    result = []
    for i in request.order:
        if len(result) >= wanted:
            break
        if i in chosen or host_set.cell_uuid(i) != cell:
            continue
        host = host_set.hosts[i]
        allocation_request = host.fitting_request()
        if allocation_request is not None:
            result.append(selection(host, request.spec, allocation_request,
                                    request.version, filters))
    return result
