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

"""The ``Selection`` object returned to callers, as Nova defines it.

Built with oslo.versionedobjects in the ``nova`` namespace, so that
``obj_to_primitive()`` is exactly what Nova's ``NovaObjectSerializer``
turns back into its own ``nova.objects.Selection`` (version 1.1),
``SchedulerLimits`` (1.0), ``NUMATopologyLimits`` (1.1) and
``NetworkMetadata`` (1.0). Only these are defined: the
service reads Nova's other objects leniently as plain primitives instead
(see ``scheduler.rpc.primitives``). oslo.versionedobjects keeps one
registry per process, so these classes would replace Nova's own if both
were imported into one process; the service never imports Nova.
"""

from oslo_serialization import jsonutils
from oslo_versionedobjects import base
from oslo_versionedobjects import fields

NOVA_NAMESPACE = 'nova'


class _NovaRegistry(base.VersionedObjectRegistry):
    """Registers the Nova objects this service sends."""


class _NovaObject(base.VersionedObject):
    OBJ_PROJECT_NAMESPACE = NOVA_NAMESPACE
    OBJ_SERIAL_NAMESPACE = 'nova_object'


@_NovaRegistry.register
class NetworkMetadata(_NovaObject):
    VERSION = '1.0'

    fields = {
        'physnets': fields.SetOfStringsField(),
        'tunneled': fields.BooleanField(),
    }


@_NovaRegistry.register
class NUMATopologyLimits(_NovaObject):
    VERSION = '1.1'

    fields = {
        'cpu_allocation_ratio': fields.FloatField(),
        'ram_allocation_ratio': fields.FloatField(),
        'network_metadata': fields.ObjectField('NetworkMetadata'),
    }

    @classmethod
    def from_limits(cls, limits):
        """From ``numa_pci.NUMATopologyLimits``."""
        obj = cls(cpu_allocation_ratio=limits.cpu_allocation_ratio,
                  ram_allocation_ratio=limits.ram_allocation_ratio)
        # As Nova's NUMATopologyFilter: set only when the request has it.
        if limits.network_metadata is not None:
            obj.network_metadata = NetworkMetadata(
                physnets=set(limits.network_metadata.physnets),
                tunneled=limits.network_metadata.tunneled)
        return obj


@_NovaRegistry.register
class SchedulerLimits(_NovaObject):
    VERSION = '1.0'

    fields = {
        'numa_topology': fields.ObjectField('NUMATopologyLimits',
                                            nullable=True, default=None),
        'vcpu': fields.IntegerField(nullable=True, default=None),
        'disk_gb': fields.IntegerField(nullable=True, default=None),
        'memory_mb': fields.IntegerField(nullable=True, default=None),
    }


@_NovaRegistry.register
class Selection(_NovaObject):
    VERSION = '1.1'

    fields = {
        'compute_node_uuid': fields.UUIDField(),
        'service_host': fields.StringField(),
        'nodename': fields.StringField(),
        'cell_uuid': fields.UUIDField(),
        'limits': fields.ObjectField('SchedulerLimits', nullable=True),
        'allocation_request': fields.StringField(nullable=True),
        'allocation_request_version': fields.StringField(nullable=True),
        'availability_zone': fields.StringField(nullable=True),
    }

    @classmethod
    def from_host(cls, host, allocation_request, allocation_request_version,
                  limits=None):
        """A Selection of ``host`` that claims ``allocation_request``.

        ``limits``: what the filters found the host's own claim must
        respect (``{'numa_topology': numa_pci.NUMATopologyLimits}``).
        """
        found = limits or {}
        limits = SchedulerLimits()
        if found.get('numa_topology') is not None:
            limits.numa_topology = NUMATopologyLimits.from_limits(
                found['numa_topology'])
        limits.obj_set_defaults()
        return cls(
            compute_node_uuid=host.uuid,
            service_host=host.host,
            nodename=host.nodename,
            cell_uuid=host.cell_uuid,
            limits=limits,
            allocation_request=(None if allocation_request is None
                                else jsonutils.dumps(allocation_request)),
            allocation_request_version=allocation_request_version,
            availability_zone=host.availability_zone)

    def to_legacy_dict(self):
        """The dict a 4.0-style caller (return_objects=False) expects."""
        return {'host': self.service_host, 'nodename': self.nodename,
                'limits': {}}
