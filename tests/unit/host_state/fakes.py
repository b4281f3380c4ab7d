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

"""Small Placement answers and config objects for the pipeline's tests."""

import sys
import uuid as uuid_lib

from stevedore import extension

from scheduler.host_state import builder
from scheduler.host_state import facts as host_facts
from scheduler.objects import request_spec
from scheduler.placement import candidates
from tests.fixtures import conf as conf_fixture

REQUEST = {'VCPU': 1, 'MEMORY_MB': 1024, 'DISK_GB': 10}
INVENTORY = {'VCPU': 16, 'MEMORY_MB': 32768, 'DISK_GB': 1000}
CELL = '00000000-0000-0000-0000-000000000001'


def Candidates(allocation_requests, provider_summaries, version='1.36'):
    """Placement's answer, its summaries given as plain dicts."""
    return candidates.Candidates(allocation_requests,
                                 candidates.summaries(provider_summaries),
                                 version)


def rp_uuid(name):
    return str(uuid_lib.uuid5(uuid_lib.NAMESPACE_DNS, name))


def summary(capacity, used=None, traits=(), root=None, parent=None):
    used = used or {}
    result = {'resources': {rc: {'capacity': amount,
                                 'used': used.get(rc, 0)}
                            for rc, amount in capacity.items()},
              'traits': list(traits)}
    if root:
        result['root_provider_uuid'] = root
        result['parent_provider_uuid'] = parent
    return result


def allocation_request(allocations):
    return {'allocations': {rp: {'resources': dict(res)}
                            for rp, res in allocations.items()},
            'mappings': {'': list(allocations)}}


def make_candidates(hosts, request=None):
    """Candidates of simple one-provider hosts.

    :param hosts: list of dicts: ``name``, optional ``capacity`` (default
        INVENTORY), ``used``, ``traits``.
    :returns: (Candidates, {uuid: name})
    """
    request = REQUEST if request is None else request
    summaries = {}
    requests = []
    names = {}
    for host in hosts:
        uuid = rp_uuid(host['name'])
        names[uuid] = host['name']
        # As Placement answers since 1.14: each provider names its root.
        summaries[uuid] = summary(host.get('capacity', INVENTORY),
                                  host.get('used'), host.get('traits', ()),
                                  root=uuid)
        requests.append(allocation_request({uuid: request}))
    return Candidates(requests, summaries), names


def make_host_set(hosts, request=None, cell_uuid=CELL, facts=None):
    """A HostStateSet of ``make_candidates(hosts)``.

    :param facts: optional ``{host name: HostFacts}``; a host it does not
        name is one no source knows (``facts.UNKNOWN``).
    """
    candidates, names = make_candidates(hosts, request)
    return builder.build_host_states(candidates, names, cell_uuid,
                                     facts=facts)


def service_up():
    """HostFacts of a host whose compute service is enabled and up."""
    return host_facts.HostFacts(
        instances_known=True,
        compute=host_facts.ComputeFacts(service_up=True,
                                        service_disabled=False))


def services_up(hosts):
    """``{name: service_up()}`` for ``hosts`` (make_candidates dicts)."""
    return {host['name']: service_up() for host in hosts}


def uniform_hosts(count, prefix='host', **fields):
    return [dict(name='%s-%05d' % (prefix, i), **fields)
            for i in range(count)]


def make_spec(vcpus=1, memory_mb=1024, root_gb=10, **fields):
    return request_spec.RequestSpec(
        flavor=request_spec.Flavor(vcpus=vcpus, memory_mb=memory_mb,
                                   root_gb=root_gb),
        project_id='project', user_id='user', **fields)


make_conf = conf_fixture.make_conf


def install_plugins(path, monkeypatch, group, entry_points, modules):
    """Make a fake distribution's plugins visible to stevedore.

    ``entry_points`` ({name: 'module:attr'}) of ``group``, from a
    distribution under ``path`` holding ``modules`` ({name: source}).
    """
    for name, source in modules.items():
        (path / ('%s.py' % name)).write_text(source)
    dist = path / 'fake_scheduler_plugins-1.0.dist-info'
    dist.mkdir()
    (dist / 'METADATA').write_text(
        'Metadata-Version: 2.1\nName: fake-scheduler-plugins\n'
        'Version: 1.0\n')
    lines = ['[%s]' % group] + ['%s = %s' % item
                                for item in entry_points.items()]
    (dist / 'entry_points.txt').write_text('\n'.join(lines) + '\n')
    monkeypatch.syspath_prepend(str(path))
    # stevedore caches entry points per namespace for the process.
    monkeypatch.setattr(extension.ExtensionManager, 'ENTRY_POINT_CACHE', {})
    for name in modules:
        monkeypatch.delitem(sys.modules, name, raising=False)
