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

"""The ``scheduler.select_destinations`` notifications, as Nova sends them.

Nova's scheduler sends, for every ``select_destinations``, a ``.start``
notification before it schedules and an ``.end`` one once it has chosen
(none at the end of a request that fails; this service sends an
``.error`` one then, with the operator's account of why):

- legacy (``[notifications] notification_format`` ``unversioned`` or
  ``both``): publisher ``scheduler.<host>``, payload ``{"request_spec":
  <the legacy request spec dict>}``, on ``[oslo_messaging_notifications]
  topics``;
- versioned (``versioned`` or ``both``): publisher
  ``nova-scheduler:<host>``, payload a ``RequestSpecPayload`` 1.1
  primitive, on ``[notifications] versioned_notifications_topics``.

The payloads are made from the request as it arrived (the RequestSpec
primitive), field for field as Nova's notification objects of Nova 34
define them, so that Nova's own notification samples describe ours.
"""

from oslo_log import log as logging
import oslo_messaging

from scheduler.rpc import readers

LOG = logging.getLogger(__name__)

EVENT = 'scheduler.select_destinations.%s'

_FLAVOR_FIELDS = ('flavorid', 'memory_mb', 'vcpus', 'root_gb',
                  'ephemeral_gb', 'name', 'swap', 'rxtx_factor',
                  'vcpu_weight', 'disabled', 'is_public', 'extra_specs',
                  'projects', 'description')
_IMAGE_FIELDS = ('id', 'name', 'status', 'visibility', 'protected',
                 'checksum', 'owner', 'size', 'virtual_size',
                 'container_format', 'disk_format', 'created_at',
                 'updated_at', 'tags', 'direct_url', 'min_ram', 'min_disk')
# Not in ImageMetaPropsPayload (a secret's uuid).
_HIDDEN_IMAGE_PROPERTIES = ('hw_ephemeral_encryption_secret_uuid',)
_NUMA_CELL_FIELDS = ('id', 'cpuset', 'pcpuset', 'cpuset_reserved', 'memory',
                     'pagesize', 'cpu_pinning_raw', 'cpu_policy',
                     'cpu_thread_policy')
_PCI_REQUEST_FIELDS = ('count', 'spec', 'alias_name', 'request_id',
                       'numa_policy')
_GROUP_FIELDS = ('uuid', 'name', 'user_id', 'project_id', 'policies',
                 'members', 'hosts', 'policy', 'rules')


def _payload(name, version, data):
    return {readers.NAME_KEY: name, readers.NAMESPACE_KEY: 'nova',
            readers.VERSION_KEY: version, readers.DATA_KEY: data}


def _data(value):
    """The fields of an object primitive (a plain dict as it is)."""
    if not isinstance(value, dict):
        return None
    data = value.get(readers.DATA_KEY, value)
    return data if isinstance(data, dict) else None


def _objects(value):
    """The items of a list object's primitive (or of a plain list)."""
    if isinstance(value, list):
        return value
    data = _data(value) or {}
    return data.get('objects') or []


def _fields(data, names):
    return {name: data.get(name) for name in names}


def flavor_payload(flavor):
    data = _data(flavor)
    if data is None:
        return None
    return _payload('FlavorPayload', '1.4', _fields(data, _FLAVOR_FIELDS))


def image_payload(image):
    data = _data(image)
    if not data:
        return None
    fields = _fields(data, _IMAGE_FIELDS)
    props = _data(data.get('properties')) or {}
    fields['properties'] = _payload(
        'ImageMetaPropsPayload', '1.20',
        {k: v for k, v in props.items() if k not in _HIDDEN_IMAGE_PROPERTIES})
    return _payload('ImageMetaPayload', '1.0', fields)


def numa_payload(numa, instance_uuid):
    data = _data(numa)
    if data is None:
        return None
    cells = []
    for cell in _objects(data.get('cells')):
        cell_data = _data(cell) or {}
        fields = _fields(cell_data, _NUMA_CELL_FIELDS)
        topology = _data(cell_data.get('cpu_topology'))
        fields['cpu_topology'] = None if topology is None else _payload(
            'VirtCPUTopologyPayload', '1.0',
            _fields(topology, ('sockets', 'cores', 'threads')))
        cells.append(_payload('InstanceNUMACellPayload', '1.2', fields))
    return _payload('InstanceNUMATopologyPayload', '1.0', {
        'instance_uuid': data.get('instance_uuid') or instance_uuid,
        'cells': cells,
        'emulator_threads_policy': data.get('emulator_threads_policy')})


def pci_payload(pci_requests, instance_uuid):
    data = _data(pci_requests)
    if data is None:
        return None
    requests = [_payload('InstancePCIRequestPayload', '1.1',
                         _fields(_data(r) or {}, _PCI_REQUEST_FIELDS))
                for r in _objects(data.get('requests'))]
    return _payload('InstancePCIRequestsPayload', '1.0', {
        'instance_uuid': data.get('instance_uuid') or instance_uuid,
        'requests': requests})


def group_payload(group):
    data = _data(group)
    if not data:
        return None
    fields = _fields(data, _GROUP_FIELDS)
    if fields['rules'] is None:
        fields['rules'] = data.get('_rules') or {}
    return _payload('ServerGroupPayload', '1.1', fields)


def destination_payload(destination):
    data = _data(destination)
    if not data:
        return None
    fields = {'aggregates': data.get('aggregates')}
    for name in ('host', 'node'):
        if data.get(name) is not None:
            fields[name] = data[name]
    cell = _data(data.get('cell'))
    if cell is not None:
        fields['cell'] = _payload('CellMappingPayload', '2.0', {
            'uuid': cell.get('uuid'), 'name': cell.get('name'),
            'disabled': bool(cell.get('disabled'))})
    return _payload('DestinationPayload', '1.0', fields)


def retry_payload(retry):
    data = _data(retry)
    if not data:
        return None
    hosts = [(_data(node) or {}).get('hypervisor_hostname')
             for node in _objects(data.get('hosts'))]
    return _payload('SchedulerRetriesPayload', '1.0', {
        'num_attempts': data.get('num_attempts'), 'hosts': hosts})


def request_spec_payload(spec_obj):
    """``RequestSpecPayload`` 1.1 of a RequestSpec primitive."""
    data = _data(spec_obj) or {}
    uuid = data.get('instance_uuid')
    groups = [_data(g) or {} for g in _objects(data.get('security_groups'))]
    force_hosts = data.get('force_hosts') or None
    force_nodes = data.get('force_nodes') or None
    return _payload('RequestSpecPayload', '1.1', {
        'availability_zone': data.get('availability_zone'),
        'flavor': flavor_payload(data.get('flavor')),
        'ignore_hosts': data.get('ignore_hosts'),
        'image': image_payload(data.get('image')),
        'instance_uuid': uuid,
        'num_instances': data.get('num_instances', 1),
        'numa_topology': numa_payload(data.get('numa_topology'), uuid),
        'pci_requests': pci_payload(data.get('pci_requests'), uuid),
        'project_id': data.get('project_id'),
        'scheduler_hints': data.get('scheduler_hints'),
        'security_groups': [g.get('uuid') or g.get('name') for g in groups],
        'force_hosts': force_hosts[0] if force_hosts else None,
        'force_nodes': force_nodes[0] if force_nodes else None,
        'instance_group': group_payload(data.get('instance_group')),
        'requested_destination': destination_payload(
            data.get('requested_destination')),
        'retry': retry_payload(data.get('retry')),
        'user_id': data.get('user_id')})


def legacy_request_spec(spec_obj):
    """The legacy request spec dict of a RequestSpec primitive.

    Nested objects stay primitives, as Nova's notifier serializes them.
    """
    data = _data(spec_obj) or {}
    flavor = data.get('flavor')
    instance = {('uuid' if name == 'instance_uuid' else name): data[name]
                for name in ('numa_topology', 'pci_requests', 'project_id',
                             'user_id', 'availability_zone', 'instance_uuid')
                if name in data}
    flavor_data = _data(flavor) or {}
    for name in ('root_gb', 'ephemeral_gb', 'memory_mb', 'vcpus'):
        if name in flavor_data:
            instance[name] = flavor_data[name]
    image = _data(data.get('image')) or {}
    return {'num_instances': data.get('num_instances', 1),
            'image': dict(image, properties=_data(image.get('properties')))
            if image else {},
            'instance_properties': instance,
            'instance_type': flavor or {}}


def sends_anywhere(conf):
    """Whether ``[oslo_messaging_notifications] driver`` names a driver.

    None, or only ``noop``: nothing is sent. Read once the options are
    registered (``get_notification_transport`` registers them).
    """
    return any(driver != 'noop'
               for driver in conf.oslo_messaging_notifications.driver)


class SelectDestinationsNotifier:
    """Sends the notifications of ``[notifications] notification_format``."""

    def __init__(self, conf, transport=None):
        fmt = conf.notifications.notification_format
        self._legacy = self._versioned = None
        if transport is None:
            transport = oslo_messaging.get_notification_transport(conf)
        self._transport = transport
        if fmt in ('unversioned', 'both'):
            self._legacy = oslo_messaging.Notifier(
                transport, publisher_id='scheduler.%s' % conf.host)
        if fmt in ('versioned', 'both'):
            self._versioned = oslo_messaging.Notifier(
                transport, publisher_id='nova-scheduler:%s' % conf.host,
                topics=conf.notifications.versioned_notifications_topics)
        # oslo.messaging's is_enabled() is true unless the drivers are
        # exactly ['noop']: with none set (the default) it would have
        # every request build its payloads for no driver at all.
        if not sends_anywhere(conf):
            self._legacy = self._versioned = None
        self._enabled = any(n is not None and n.is_enabled()
                            for n in (self._legacy, self._versioned))

    @property
    def enabled(self):
        """Whether any notification would go anywhere (a driver is set)."""
        return self._enabled

    def notify(self, ctxt, phase, spec_obj):
        """Send ``phase`` ('start' or 'end') of one request's notifications.

        A notification that cannot be sent is logged, never an error of
        the request.
        """
        self._send(ctxt, EVENT % phase, 'info',
                   lambda: {'request_spec': legacy_request_spec(spec_obj)},
                   lambda: request_spec_payload(spec_obj))

    def notify_error(self, ctxt, spec_obj, reason):
        """Send ``scheduler.select_destinations.error`` (priority ERROR).

        Not one of Nova's: the request that was refused, with ``reason``,
        the operator's account of why (``NoValidHost.detail`` when there
        is one: the Placement query and the relaxed ones, which the
        caller's text leaves out). The legacy payload is
        ``{"request_spec": <legacy dict>, "reason": ...}``; the versioned
        one the same with a ``RequestSpecPayload`` (not a versioned object
        of its own).
        """
        self._send(ctxt, EVENT % 'error', 'error',
                   lambda: {'request_spec': legacy_request_spec(spec_obj),
                            'reason': reason},
                   lambda: {'request_spec': request_spec_payload(spec_obj),
                            'reason': reason})

    def _send(self, ctxt, event, priority, legacy, versioned):
        try:
            if self._legacy is not None:
                getattr(self._legacy, priority)(ctxt, event, legacy())
            if self._versioned is not None:
                getattr(self._versioned, priority)(ctxt, event, versioned())
        except Exception as e:
            LOG.warning('Could not send the %(event)s notification: '
                        '%(error)s', {'event': event,
                                      'error': type(e).__name__})

    def cleanup(self):
        self._transport.cleanup()
