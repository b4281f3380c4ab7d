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

"""Options of the request filters, in [scheduler] (Nova's names and
defaults)."""

from oslo_config import cfg

GROUP = 'scheduler'

request_filter_opts = [
    cfg.BoolOpt(
        'query_placement_for_routed_network_aggregates',
        default=False,
        help='Ask Placement for hosts in the segment aggregates of the '
             'requested routed networks. This service cannot read the '
             'segments (Nova asks Neutron): when set, requests naming a '
             'network or port are refused with NoValidHost.'),
    cfg.BoolOpt(
        'limit_tenants_to_placement_aggregate',
        default=False,
        help='Confine each project to the aggregates whose metadata has a '
             '``filter_tenant_id`` key (or ``filter_tenant_id<N>``) set to '
             'it, by asking Placement for members of those aggregates. '
             'Needs aggregate metadata (host facts); without it requests '
             'are refused.'),
    cfg.BoolOpt(
        'placement_aggregate_required_for_tenants',
        default=False,
        help='With ``limit_tenants_to_placement_aggregate``: refuse the '
             'requests of a project that no aggregate names, instead of '
             'letting them use any host.'),
    cfg.BoolOpt(
        'query_placement_for_image_type_support',
        default=False,
        help='Ask Placement only for hosts with the '
             '``COMPUTE_IMAGE_TYPE_<disk_format>`` trait of the image '
             '(not for boot from volume).'),
    cfg.BoolOpt(
        'enable_isolated_aggregate_filtering',
        default=False,
        help='Keep requests out of aggregates whose metadata has '
             '``trait:<TRAIT>=required`` unless the flavor or image '
             'requires that trait too.'),
    cfg.BoolOpt(
        'image_metadata_prefilter',
        default=False,
        help='Turn well-known image properties (hw_disk_bus, '
             'hw_video_model, hw_vif_model, hw_architecture, ...) into '
             'required traits of the root provider.'),
]


def register_opts(conf):
    conf.register_opts(request_filter_opts, group=GROUP)


def list_opts():
    return {GROUP: request_filter_opts}
