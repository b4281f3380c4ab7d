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

"""The guest NUMA topology Nova's API would derive, for ``scheduler-plan``.

Nova's API turns the flavor's ``hw:*`` extra specs (and the image's
``hw_*`` properties) into the RequestSpec's ``numa_topology`` before it
calls the scheduler; the scheduler only reads it. A plan has no Nova API
in front of it, so this does the same for the common cases, from Nova's
documented rules:

- ``hw:numa_nodes`` N: N guest cells, the CPUs and memory split evenly
  unless ``hw:numa_cpus.<cell>`` (``0-1,3``) and ``hw:numa_mem.<cell>``
  (MiB) name them;
- without it, ``hw:cpu_policy=dedicated`` or ``hw:mem_page_size`` give
  one cell with every CPU and all the memory;
- ``dedicated``: the cells' CPUs are pinned (``pcpuset``), with
  ``hw:cpu_thread_policy``; ``hw:emulator_threads_policy`` is kept;
- ``hw:mem_page_size``: ``small``, ``large``, ``any`` or a size (KiB
  unless ``KB``, ``MB`` or ``GB`` follows).

Not derived (a ``BadArgument`` says so): the ``mixed`` CPU policy. PCI
aliases (``pci_passthrough:alias``) need Nova's ``[pci] alias``: they are
not resolved, and the PCI filter sees no device request.
"""

from scheduler.filters import numa_fit
from scheduler.objects import numa_pci

_PAGE_WORDS = {'small': numa_fit.PAGES_SMALL, 'large': numa_fit.PAGES_LARGE,
               'any': numa_fit.PAGES_ANY}
_UNITS = {'KB': 1, 'K': 1, 'MB': 1024, 'M': 1024, 'GB': 1024 * 1024,
          'G': 1024 * 1024}


class BadNUMA(ValueError):
    """The NUMA extra specs cannot give a topology; says why."""


def _option(flavor, image, name):
    """Flavor ``hw:<name>`` or image ``hw_<name>``; both must agree."""
    spec = flavor.extra_specs.get('hw:' + name)
    prop = image.properties.get('hw_' + name)
    if spec is not None and prop is not None and str(spec) != str(prop):
        raise BadNUMA('flavor hw:%s=%s and image hw_%s=%s disagree'
                      % (name, spec, name, prop))
    return None if spec is None and prop is None else str(
        spec if spec is not None else prop)


def page_size(text):
    """``hw:mem_page_size`` as Nova encodes it (KiB, or a keyword code)."""
    if text is None:
        return None
    word = text.strip().lower()
    if word in _PAGE_WORDS:
        return _PAGE_WORDS[word]
    number = text.strip().upper()
    unit = next((u for u in sorted(_UNITS, key=len, reverse=True)
                 if number.endswith(u)), None)
    if unit:
        number = number[:-len(unit)]
    if not number.isdigit() or not int(number):
        raise BadNUMA('hw:mem_page_size=%s is not small, large, any or a '
                      'size' % text)
    return int(number) * _UNITS.get(unit, 1)


def _cpus(text, key):
    cpus = set()
    for part in text.split(','):
        low, _, high = part.strip().partition('-')
        if not low.isdigit() or (high and not high.isdigit()):
            raise BadNUMA('%s=%s is not a CPU list like 0-1,3' % (key, text))
        cpus.update(range(int(low), int(high or low) + 1))
    return frozenset(cpus)


def _cells(flavor, nodes):
    specs = flavor.extra_specs
    if not any(k.startswith('hw:numa_cpus.') for k in specs):
        if flavor.vcpus % nodes or flavor.memory_mb % nodes:
            raise BadNUMA('%d CPUs and %d MiB do not split evenly over '
                          'hw:numa_nodes=%d: give hw:numa_cpus.N and '
                          'hw:numa_mem.N' % (flavor.vcpus, flavor.memory_mb,
                                             nodes))
        per_cell = flavor.vcpus // nodes
        return [(frozenset(range(i * per_cell, (i + 1) * per_cell)),
                 flavor.memory_mb // nodes) for i in range(nodes)]
    cells = []
    for i in range(nodes):
        cpus_key, mem_key = 'hw:numa_cpus.%d' % i, 'hw:numa_mem.%d' % i
        if cpus_key not in specs or mem_key not in specs:
            raise BadNUMA('%s and %s are both needed' % (cpus_key, mem_key))
        if not str(specs[mem_key]).isdigit():
            raise BadNUMA('%s=%s is not MiB' % (mem_key, specs[mem_key]))
        cells.append((_cpus(str(specs[cpus_key]), cpus_key),
                      int(specs[mem_key])))
    return cells


def numa_topology(flavor, image):
    """The ``InstanceNUMATopology`` of ``flavor`` and ``image``, or None."""
    nodes = _option(flavor, image, 'numa_nodes')
    policy = _option(flavor, image, 'cpu_policy')
    pagesize = page_size(_option(flavor, image, 'mem_page_size'))
    if policy == numa_fit.MIXED:
        raise BadNUMA('hw:cpu_policy=mixed is not derived by scheduler-plan')
    dedicated = policy == numa_fit.DEDICATED
    if nodes is None and not dedicated and pagesize is None:
        return None
    if nodes is not None and (not nodes.isdigit() or not int(nodes)):
        raise BadNUMA('hw:numa_nodes=%s is not a positive integer' % nodes)
    count = int(nodes) if nodes is not None else 1
    thread_policy = _option(flavor, image, 'cpu_thread_policy')
    cells = [numa_pci.InstanceNUMACell(
        id=i, cpuset=frozenset() if dedicated else cpus,
        pcpuset=cpus if dedicated else frozenset(), memory=memory,
        cpu_policy=policy, cpu_thread_policy=thread_policy if dedicated
        else None, pagesize=pagesize)
        for i, (cpus, memory) in enumerate(_cells(flavor, count))]
    return numa_pci.InstanceNUMATopology(
        cells=cells,
        emulator_threads_policy=_option(flavor, image,
                                        'emulator_threads_policy'))
