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

"""scheduler-plan against a running scheduler-server and a real Placement.

The console script runs as an operator would run it, with the server's
own config file; Placement is read afterwards to prove nothing was
claimed, and ``--capacity`` is checked against what select_destinations
then actually places, one instance at a time.
"""

import os
import subprocess
import sys

import oslo_messaging
import pytest

from scheduler import exception
from scheduler.rpc import admin
from scheduler.rpc import serializer
from scheduler.sim import cloud
from scheduler.sim import writers
from tests.fixtures import cloud_hosts
from tests.functional import helpers

# helpers.spec(), the flavor select_one boots.
FLAVOR = 'vcpus=1,ram=1024,disk=10'


def plan(server, *args):
    """``(exit code, stdout, stderr)`` of scheduler-plan for ``server``."""
    script = os.path.join(os.path.dirname(sys.executable), 'scheduler-plan')
    conf = ['--config-file', server.config_file] if server else []
    done = subprocess.run([script] + conf + list(args),
                          capture_output=True, text=True, timeout=180)
    return done.returncode, done.stdout, done.stderr


def select_client(rpc_transport):
    """A conductor's client of select_destinations (API 4.5)."""
    return oslo_messaging.get_rpc_client(
        rpc_transport, oslo_messaging.Target(topic='scheduler',
                                             version='4.5'),
        serializer=serializer.SchedulerSerializer(rebuild_selections=True),
        timeout=60)


def assert_nothing_allocated(placement):
    used = {name: usage for name, usage in
            cloud.usages(placement.endpoint).items() if any(usage.values())}
    assert used == {}


@pytest.fixture
def three_sizes(placement):
    """Room for 2, 3 and 5 instances of FLAVOR: VCPU, RAM, disk bound."""
    hosts = (cloud_hosts.make_hosts(1, vcpus=2, prefix='small') +
             cloud_hosts.make_hosts(1, vcpus=8, memory_mb=3072,
                                    prefix='ramlimited') +
             cloud_hosts.make_hosts(1, vcpus=8, disk_gb=50,
                                    prefix='disklimited'))
    cloud.create_hosts(placement.endpoint, hosts)
    return hosts


def test_plan_prints_a_host_per_instance_and_claims_nothing(
        placement, scheduler_factory, three_sizes):
    server = scheduler_factory()

    code, out, err = plan(server, '--flavor', FLAVOR, '--count', '2')

    assert code == 0, err
    names = {h.name for h in three_sizes}
    lines = [line for line in out.splitlines() if 'instance ' in line]
    assert [line.split(': ')[0] for line in lines] == [
        '  instance 1', '  instance 2'], out
    for line in lines:
        chosen, alternates = line.split(': ', 1)[1].split('; alternates: ')
        alternates = alternates.split(', ')
        assert chosen in names and set(alternates) <= names
        assert chosen not in alternates
    assert_nothing_allocated(placement)


def test_plan_of_a_flavor_too_big_prints_the_placement_diagnosis(
        placement, scheduler_factory, three_sizes):
    server = scheduler_factory()

    code, out, _ = plan(server, '--flavor', 'vcpus=16,ram=1024,disk=10')

    assert code == 1
    assert 'No valid host for 1 instance(s)' in out
    assert 'Placement has no candidate for' in out
    assert 'VCPU:16' in out
    # The operator's detail: the query strings asked.
    assert '\nDetail:\n  query resources=' in out
    assert_nothing_allocated(placement)


def test_explained_refusal_gives_each_hosts_fate(
        placement, scheduler_factory, three_sizes):
    # No compute facts here: ImagePropertiesFilter cannot judge an image
    # naming an architecture, and fails every host.
    server = scheduler_factory()

    code, out, _ = plan(server, '--flavor', FLAVOR, '--image-prop',
                        'hw_architecture=x86_64', '--explain')

    assert code == 1
    assert 'ImagePropertiesFilter 3->0' in out
    for host in three_sizes:
        assert '  %s (%s): removed by ImagePropertiesFilter' % (
            host.name, host.name) in out
    assert_nothing_allocated(placement)


def test_capacity_is_what_select_destinations_then_places(
        placement, scheduler_factory, rpc_transport, three_sizes):
    server = scheduler_factory()

    code, out, err = plan(server, '--flavor', FLAVOR, '--capacity')

    assert code == 0, err
    assert 'Capacity for flavor %s: 10 more instance(s) on 3 host(s)' \
        % FLAVOR in out
    counts = {line.split()[0]: int(line.split()[-1])
              for line in out.splitlines() if line.startswith('  ')}
    assert counts == {'disklimited-01': 5, 'ramlimited-01': 3,
                      'small-01': 2}
    assert_nothing_allocated(placement)

    client = select_client(rpc_transport)
    placed = [helpers.select_one(client, instance)[0][0].service_host
              for instance in helpers.uuids(10)]
    assert {h: placed.count(h) for h in set(placed)} == counts
    with pytest.raises(exception.NoValidHost):
        helpers.select_one(client, helpers.uuids(1)[0])


def test_capacity_stops_at_the_per_host_cap_and_says_so(
        placement, scheduler_factory, three_sizes):
    server = scheduler_factory()

    code, out, _ = plan(server, '--flavor', FLAVOR, '--capacity',
                        '--max-per-host', '2', '--top', '1')

    assert code == 0
    assert 'at least (a host reached --max-per-host) 6 more instance(s) ' \
           'on 3 host(s)' in out
    assert '... 2 more host(s)' in out


def test_a_bad_flavor_is_refused_before_asking_the_service():
    code, out, err = plan(None, '--flavor', 'vcpus=two,ram=1024')

    assert (code, out) == (2, '')
    assert "vcpus='two' is not an integer" in err


def test_a_caller_without_admin_context_is_refused_over_the_bus(
        placement, scheduler_factory, rpc_transport, three_sizes):
    scheduler_factory()
    client = oslo_messaging.get_rpc_client(
        rpc_transport, oslo_messaging.Target(
            topic='scheduler', namespace=admin.NAMESPACE,
            version=admin.VERSION), timeout=60)
    spec_obj = writers.request_spec_to_primitive(helpers.spec())

    for method, kwargs in (('plan_destinations', {'count': 1}),
                           ('plan_capacity', {})):
        with pytest.raises(oslo_messaging.RemoteError) as refused:
            client.call(helpers.context(), method, spec_obj=spec_obj,
                        **kwargs)
        assert refused.value.exc_type == 'Forbidden'
        assert '%s needs an admin context' % method in refused.value.value
    # Nova's own namespace knows no such method.
    nova = oslo_messaging.get_rpc_client(
        rpc_transport, oslo_messaging.Target(topic='scheduler',
                                             version='4.5'), timeout=60)
    with pytest.raises(oslo_messaging.RemoteError) as unknown:
        nova.call(helpers.context(), 'plan_destinations',
                  spec_obj=spec_obj, count=1)
    assert unknown.value.exc_type == 'NoSuchMethod'
    assert_nothing_allocated(placement)
