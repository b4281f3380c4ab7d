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

"""Nova's side of the wire: its config, RPC client, context and objects.

Everything here is Nova's own code used the way a nova-conductor or a
nova-compute uses it; this module only assembles the inputs. It imports
Nova at the top, so only the nova-compat environment imports it (the
conftest does, lazily).
"""

import configparser
import uuid
import zlib

import nova.conf
from nova import config as nova_config
from nova import context as nova_context
from nova import exception as nova_exception
from nova import objects
from nova.objects import selection as nova_selection
from nova import rpc as nova_rpc
from nova.scheduler import rpcapi
import oslo_messaging as messaging

CONF = nova.conf.CONF

# Bounds for every call the tests make: the call-monitor heartbeat window
# (oslo.messaging's rpc_response_timeout) and the whole call (Nova's
# long_rpc_timeout, 1800 s by default).
RPC_RESPONSE_TIMEOUT = 30
LONG_RPC_TIMEOUT = 60

NoValidHost = nova_exception.NoValidHost
Selection = nova_selection.Selection

IMAGE = {
    'id': '6d4a0cb8-57a1-4e43-a8b5-f8c3e2a0e1a1',
    'name': 'cirros-0.6.2',
    'status': 'active',
    'container_format': 'bare',
    'disk_format': 'qcow2',
    'min_ram': 0,
    'min_disk': 0,
    'size': 21430272,
    'properties': {'hw_architecture': 'x86_64',
                   'hw_disk_bus': 'virtio'},
}


def _small_id(name):
    return zlib.crc32(name.encode()) % 10000 + 1


def write_nova_conf(path, transport_url):
    """A nova.conf as a conductor would have, with bounded RPC timeouts.

    ``transport_url`` and ``rpc_response_timeout`` are oslo.messaging
    options registered only when a transport or client is made, so they
    are given in a file rather than with ``set_override``.
    """
    conf = configparser.ConfigParser(interpolation=None)
    conf['DEFAULT'] = {
        'transport_url': transport_url,
        'rpc_response_timeout': str(RPC_RESPONSE_TIMEOUT),
        'long_rpc_timeout': str(LONG_RPC_TIMEOUT),
    }
    conf['oslo_messaging_notifications'] = {'driver': 'noop'}
    with open(path, 'w') as f:
        conf.write(f)
    return path


def start_rpc(config_file):
    """Configure Nova and open its RPC transport, as a service start does.

    ``parse_args`` sets the ``nova`` control exchange default and, with
    ``init_rpc``, calls ``nova.rpc.init``; no database is configured and
    no default config file (/etc/nova/nova.conf) is read.
    """
    objects.register_all()
    nova_config.parse_args(['nova-compat-tests', '--config-file',
                            config_file],
                           default_config_files=[], configure_db=False,
                           init_rpc=True)


def ping_client():
    """An RPC client of the scheduler's topic on Nova's transport.

    For oslo.messaging's own ``oslo_rpc_server_ping`` (a server with
    ``[DEFAULT] rpc_ping_enabled``).
    """
    return nova_rpc.get_client(
        messaging.Target(topic=rpcapi.RPC_TOPIC))


def stop_rpc():
    nova_rpc.cleanup()


def scheduler_api(version_cap=None):
    """Nova's SchedulerAPI, optionally capped to an RPC version.

    ``version_cap`` is ``[upgrade_levels] scheduler`` (a version or a
    release name); SchedulerAPI reads it when it is built.
    """
    if version_cap is None:
        return rpcapi.SchedulerAPI()
    CONF.set_override('scheduler', version_cap, group='upgrade_levels')
    try:
        return rpcapi.SchedulerAPI()
    finally:
        CONF.clear_override('scheduler', group='upgrade_levels')


def make_context(auth_token, catalog_url, project_id='compat-project',
                 user_id='compat-user'):
    """A user's request context carrying a token and a service catalog.

    ``is_admin`` is given so that Nova does not consult its policy engine.
    Nova keeps only catalog entries of the service types it uses.
    """
    catalog = [{
        'type': 'placement', 'name': 'placement',
        'endpoints': [{'region': 'RegionOne', 'interface': 'internal',
                       'url': catalog_url}],
    }]
    return nova_context.RequestContext(
        user_id=user_id, project_id=project_id, is_admin=False,
        user_name='compat-user-name', project_name='compat-project-name',
        auth_token=auth_token, service_catalog=catalog)


def make_flavor(name, vcpus, memory_mb, root_gb, ephemeral_gb=0, swap=0,
                extra_specs=None):
    """A Flavor with every field a flavor read from the API DB has."""
    return objects.Flavor(
        id=_small_id(name), flavorid='%s-id' % name, name=name,
        vcpus=vcpus, memory_mb=memory_mb, root_gb=root_gb,
        ephemeral_gb=ephemeral_gb, swap=swap, rxtx_factor=1.0,
        vcpu_weight=0, disabled=False, is_public=True,
        extra_specs=dict(extra_specs or {}), description=None)


def make_request_spec(ctxt, flavor, instance_uuids):
    """The RequestSpec nova-api builds for a boot, as conductor sends it.

    nova-api builds one spec per instance with ``from_components`` and
    sets ``is_bfv``, ``num_instances`` and ``network_metadata``; conductor
    sends the first spec with the uuids of all instances of the request.
    """
    spec = objects.RequestSpec.from_components(
        ctxt, instance_uuids[0], dict(IMAGE), flavor, None,
        objects.InstancePCIRequests(requests=[]), {}, None, None,
        security_groups=objects.SecurityGroupList(
            objects=[objects.SecurityGroup(name='default')]))
    spec.is_bfv = False
    spec.num_instances = len(instance_uuids)
    spec.network_metadata = objects.NetworkMetadata(physnets=set(),
                                                    tunneled=False)
    return spec


def make_instance_list(ctxt, host_name, flavor, count=2):
    """The InstanceList a nova-compute sends in update_instance_info."""
    return objects.InstanceList(objects=[
        objects.Instance(
            id=n + 1, uuid=str(uuid.uuid4()), host=host_name,
            node=host_name, project_id=ctxt.project_id,
            user_id=ctxt.user_id, vm_state='active', task_state=None,
            availability_zone=None, flavor=flavor)
        for n in range(count)])


def make_aggregate(name, hosts, metadata=None):
    """An Aggregate as nova-api sends it in update_aggregates."""
    return objects.Aggregate(
        id=_small_id(name), uuid=str(uuid.uuid4()), name=name,
        hosts=list(hosts), metadata=dict(metadata or {}))
