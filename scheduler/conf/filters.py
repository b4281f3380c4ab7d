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

"""Options of the built-in filters ([filter_scheduler], Nova's names).

Registered in the ``filter_scheduler`` group beside the options of
``scheduler.conf.filter_scheduler``; every built-in filter reads its
options from here.
"""

from oslo_config import cfg

GROUP = 'filter_scheduler'

# Nova's canonical CPU architecture names (nova.objects.fields.Architecture).
ARCHITECTURES = (
    'alpha', 'armv6', 'armv7l', 'armv7b', 'aarch64', 'cris', 'i686', 'ia64',
    'lm32', 'm68k', 'microblaze', 'microblazeel', 'mips', 'mipsel', 'mips64',
    'mips64el', 'openrisc', 'parisc', 'parisc64', 'ppc', 'ppcle', 'ppc64',
    'ppc64le', 'ppcemb', 's390', 's390x', 'sh4', 'sh4eb', 'sparc', 'sparc64',
    'unicore32', 'x86_64', 'xtensa', 'xtensaeb')

_REMOVED_ARBITRARY_PROPS = (
    'Filtering on arbitrary image properties was removed from Nova in '
    'Liberty; this option has no use any more.')

filter_opts = [
    cfg.IntOpt(
        'max_io_ops_per_host',
        default=8,
        min=0,
        max=100000,
        help='Hosts with this many instances doing IO (building, '
             'resizing, migrating, snapshotting, rescuing, unshelving) or '
             'more do not pass IoOpsFilter.'),
    cfg.IntOpt(
        'max_instances_per_host',
        default=50,
        min=1,
        max=1000000,
        help='Hosts with this many instances or more do not pass '
             'NumInstancesFilter (nor AggregateNumInstancesFilter, unless '
             'an aggregate of the host sets ``max_instances_per_host``).'),
    cfg.StrOpt(
        'image_properties_default_architecture',
        choices=ARCHITECTURES,
        help='Architecture ImagePropertiesFilter assumes for an image '
             'without ``hw_architecture``; unset, such an image may land on '
             'any architecture.'),
    cfg.ListOpt(
        'isolated_images',
        default=[],
        help='UUIDs of the images that only IsolatedHostsFilter\'s '
             'isolated hosts may run.'),
    cfg.ListOpt(
        'isolated_hosts',
        default=[],
        help='Names of the hosts that only run isolated images '
             '(IsolatedHostsFilter).'),
    cfg.BoolOpt(
        'restrict_isolated_hosts_to_isolated_images',
        default=True,
        help='Keep images that are not isolated off the isolated hosts. '
             'Isolated images always go to isolated hosts.'),
    cfg.StrOpt(
        'aggregate_image_properties_isolation_namespace',
        deprecated_for_removal=True,
        deprecated_since='33.0.0',
        deprecated_reason=_REMOVED_ARBITRARY_PROPS,
        help='Only aggregate metadata keys starting with this namespace '
             '(and the separator) are matched against image properties by '
             'AggregateImagePropertiesIsolation.'),
    cfg.StrOpt(
        'aggregate_image_properties_isolation_separator',
        default='.',
        deprecated_for_removal=True,
        deprecated_since='33.0.0',
        deprecated_reason=_REMOVED_ARBITRARY_PROPS,
        help='Separator between the namespace and the property name in '
             'the aggregate metadata keys AggregateImagePropertiesIsolation '
             'matches.'),
    cfg.BoolOpt(
        'explain',
        default=False,
        help='Log, at INFO, the fate of every host of every request: the '
             'filter that removed it, or its weight. For debugging: one '
             'line per host and request.'),
]


def register_opts(conf):
    conf.register_opts(filter_opts, group=GROUP)


def list_opts():
    # The group object itself comes from scheduler.conf.filter_scheduler;
    # the generator merges groups of the same name.
    return {GROUP: filter_opts}
