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

# What a test process needs to drive our service with Nova 34's own client
# (read from nova==34.0.0 as installed; facts, not code):
#
# * Importing nova does not monkey-patch (only nova.cmd does), but importing
#   nova.rpc imports oslo_messaging.server -> oslo_service.service, which
#   fixes oslo.service's backend to its default (eventlet) unless one was
#   chosen before. Our package selects threading at import, which then
#   fails (BackendAlreadySelected); tests/nova_compat/__init__.py selects
#   threading first. Nova's client side works on it.
# * nova.conf.CONF is the global cfg.CONF. Importing nova.conf registers
#   every Nova option there, including [scheduler] and [placement] groups
#   whose options differ from ours, so scheduler.conf must never be imported
#   next to it (DuplicateOptError). Placement and the scheduler run in
#   child processes; this process is "the conductor".
# * nova.config.parse_args(argv, default_config_files, configure_db,
#   init_rpc) registers oslo.log options, sets the oslo.messaging
#   control_exchange default to "nova" (nova.rpc.set_defaults ->
#   oslo_messaging.set_transport_defaults), parses CONF with project "nova",
#   then calls nova.rpc.init(CONF) if init_rpc and configures the DBs if
#   configure_db. We pass default_config_files=[] (never read /etc/nova)
#   and configure_db=False.
# * transport_url and control_exchange are oslo.messaging options that
#   exist only once a transport is built (TransportURL.parse inside
#   nova.rpc.init); rpc_response_timeout only once an RPC client is built.
#   set_override before that raises NoSuchOptError, so they go in a config
#   file, as in a real nova.conf. long_rpc_timeout ([DEFAULT], 1800 s by
#   default) is Nova's own.
# * nova.rpc.init(CONF) builds the RPC transport allowing remote exceptions
#   from "nova.exception" only, plus a notification transport and
#   notifiers (driver noop here). nova.rpc.cleanup() requires all four to
#   exist and closes both transports.
# * nova.objects.register_all() imports every Nova object so the
#   NovaObjectSerializer can rebuild Selection / SchedulerLimits replies.
#   oslo.versionedobjects keeps ONE registry for all registry subclasses:
#   importing scheduler.objects.selection in this process replaces Nova's
#   Selection there, so these tests never import it.
# * SchedulerAPI(): Target(topic="scheduler", version="4.0"), version_cap =
#   [upgrade_levels] scheduler (default None; release names are aliases),
#   serializer = NovaObjectSerializer inside nova.rpc's
#   RequestContextSerializer (context -> RequestContext.to_dict()).
#   select_destinations starts at 4.5 and steps down with
#   can_send_version() against the configured cap only; it never probes
#   the server. No cap: always 4.5 with spec_obj, instance_uuids,
#   return_objects, return_alternates. Cap 4.4: the last two are dropped
#   (asking for either raises SelectionObjectsWithOldRPCVersionNotSupported
#   at the caller); 4.3: instance_uuids dropped too; below: 4.0 with
#   request_spec = spec.to_legacy_request_spec_dict() and filter_properties
#   = spec.to_legacy_filter_properties_dict() (the Flavor and
#   InstancePCIRequests inside still travel as object primitives). The call
#   is prepared with call_monitor_timeout = rpc_response_timeout and
#   timeout = long_rpc_timeout.
# * Casts, all fanout: update_aggregates(aggregates) and
#   delete_aggregate(aggregate) at 4.1 (nova-api sends a one-element list of
#   Aggregate objects); update_instance_info(host_name, instance_info),
#   delete_instance_info(host_name, instance_uuid) and
#   sync_instance_info(host_name, instance_uuids) at 4.2 (nova-compute
#   wraps one Instance in an InstanceList and uses an elevated context).
# * nova.context.RequestContext(user_id, project_id, is_admin, ...,
#   service_catalog, auth_token=...): is_admin=None makes it consult the
#   policy engine, so pass it. The catalog keeps only entries of types
#   image, block-storage, volumev3, key-manager, placement, network,
#   accelerator, sharev2. to_dict() carries auth_token and service_catalog
#   in clear.
# * nova-api builds one RequestSpec per instance with
#   RequestSpec.from_components(context, instance_uuid, image dict, Flavor,
#   numa_topology, pci_requests, filter_properties, instance_group,
#   availability_zone, security_groups=..., ...), which sets num_instances=1
#   and defaults, then sets is_bfv, num_instances and network_metadata.
#   Conductor sends request_specs[0] with the uuids of all instances,
#   return_objects=True and return_alternates=True. On the wire: RequestSpec
#   1.15 with ImageMeta 1.8 / ImageMetaProps 1.44, Flavor 1.2,
#   InstancePCIRequests 1.1, SchedulerLimits 1.0, NetworkMetadata 1.0,
#   RequestLevelParams 1.1, SecurityGroupList 1.1.
# * A remote nova.exception.NoValidHost is rebuilt as
#   NoValidHost(*args, **kwargs) from the failure's args/kwargs, then its
#   class is swapped for a NoValidHost_Remote subclass whose str() is the
#   server's message plus the server traceback; format_message() stays
#   "No valid host was found. <reason>" and kwargs["reason"] is the
#   server's reason. Any other module arrives as RemoteError.
"""Fixtures: real RabbitMQ, real Placement, ``scheduler-server``, Nova.

These tests need Nova (``tox -e nova-compat``). Without it they are not
collected, unless NOVA_COMPAT_REQUIRED is set, when that is an error. They
must run in a pytest process of their own (Nova owns ``cfg.CONF`` here).
"""

import importlib.util
import os
import secrets
import uuid

import pytest

from scheduler.sim import cloud
from tests.fixtures import rabbitmq
from tests.fixtures import server
from tests.nova_compat import layout
from tests.nova_compat import placement_process

HERE = os.path.dirname(os.path.abspath(__file__))
HAVE_NOVA = importlib.util.find_spec('nova') is not None
REQUIRED_ENV = 'NOVA_COMPAT_REQUIRED'


def pytest_ignore_collect(collection_path, config):
    if HAVE_NOVA or os.environ.get(REQUIRED_ENV):
        return None
    if str(collection_path).startswith(HERE + os.sep):
        return True
    return None


def pytest_collection_modifyitems(session, config, items):
    ours = [i for i in items if str(i.path).startswith(HERE + os.sep)]
    if ours and len(ours) != len(items):
        raise pytest.UsageError(
            'tests/nova_compat must run in a pytest process of its own '
            '(tox -e nova-compat): Nova registers its options on the '
            'global cfg.CONF, which clashes with the service\'s.')


def _hosts():
    return [cloud.Host(
        name=name, uuid=str(uuid.uuid5(uuid.NAMESPACE_DNS, name)),
        inventory={rc: {'total': total, 'reserved': 0,
                        'allocation_ratio': 1.0, 'max_unit': total}
                   for rc, total in layout.HOST_INVENTORY.items()},
        traits=['COMPUTE_NODE'])
        for name in layout.HOST_NAMES]


@pytest.fixture(scope='session')
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp('nova-compat')


@pytest.fixture(scope='session')
def broker(workdir):
    node = rabbitmq.RabbitMQBroker(str(workdir / 'rabbitmq'))
    try:
        node.start()
        yield node
    finally:
        node.stop()


@pytest.fixture(scope='session')
def placement(workdir):
    proc = placement_process.PlacementProcess(str(workdir / 'placement'))
    try:
        proc.start()
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope='session')
def hosts(placement):
    made = _hosts()
    cloud.create_hosts(placement.endpoint, made)
    return made


@pytest.fixture(scope='session')
def scheduler_service(workdir, broker, placement, hosts):
    service = server.SchedulerServerProcess(
        str(workdir / 'scheduler'), broker, placement.endpoint,
        workers=layout.WORKERS, extra_conf=layout.SCHEDULER_CONF)
    try:
        service.start()
        yield service
    finally:
        service.stop()


@pytest.fixture(scope='session')
def nova_installed():
    if not HAVE_NOVA:
        pytest.fail('nova is not installed; use tox -e nova-compat')


@pytest.fixture(scope='session')
def nova(nova_installed, workdir, broker):
    """Nova's modules, configured and with RPC started (session-wide)."""
    from tests.nova_compat import nova_side

    conf_path = nova_side.write_nova_conf(str(workdir / 'nova.conf'),
                                          broker.transport_url)
    nova_side.start_rpc(conf_path)
    try:
        yield nova_side
    finally:
        nova_side.stop_rpc()


@pytest.fixture(scope='session')
def secret_values():
    """Values that must never appear in the service's logs."""
    return {
        'auth_token': 'gAAAAA-compat-token-' + secrets.token_hex(16),
        'catalog_url': 'http://catalog-%s.invalid:8778/placement'
                       % secrets.token_hex(6),
    }


@pytest.fixture
def ctxt(nova, secret_values):
    return nova.make_context(secret_values['auth_token'],
                             secret_values['catalog_url'])


@pytest.fixture
def scheduler_api(nova, scheduler_service):
    return nova.scheduler_api()


@pytest.fixture
def placement_api(placement):
    return cloud.placement_adapter(placement.endpoint, placement.token)


@pytest.fixture
def consumers(placement_api):
    """Instance uuids of one test; their allocations are removed after."""
    made = []
    yield made
    for consumer in made:
        placement_api.delete('/allocations/%s' % consumer,
                             raise_exc=False)


@pytest.fixture
def new_uuids(consumers):
    def make(count):
        result = [str(uuid.uuid4()) for _ in range(count)]
        consumers.extend(result)
        return result
    return make


@pytest.fixture
def log_watch(scheduler_service):
    return layout.LogWatch(scheduler_service)
