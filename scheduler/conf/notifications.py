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

"""Options of the [notifications] group (Nova's names and defaults).

Where notifications go (driver, transport, legacy topics) is
oslo.messaging's ``[oslo_messaging_notifications]`` group, as in Nova.
"""

from oslo_config import cfg


def _notifications_group():
    # A new OptGroup for every ConfigOpts (register_group copies shallowly).
    return cfg.OptGroup(
        'notifications', title='Notifications',
        help='The scheduler.select_destinations notifications Nova\'s '
             'scheduler sends, sent the same way.')


notification_opts = [
    cfg.StrOpt(
        'notification_format',
        default='unversioned',
        choices=[
            ('both', 'Both the legacy unversioned and the versioned '
                     'notifications are sent.'),
            ('versioned', 'Only the versioned notifications are sent.'),
            ('unversioned', 'Only the legacy unversioned notifications '
                            'are sent.'),
        ],
        help='Which notifications to send: legacy ones (publisher '
             '``scheduler.<host>``, payload ``{"request_spec": ...}``) '
             'and/or versioned ones (publisher ``nova-scheduler:<host>``, '
             'payload ``RequestSpecPayload``). Nothing is sent unless '
             '``[oslo_messaging_notifications] driver`` is set.'),
    cfg.ListOpt(
        'versioned_notifications_topics',
        default=['versioned_notifications'],
        help='Topics the versioned notifications are sent to.'),
]


def register_opts(conf):
    group = _notifications_group()
    conf.register_group(group)
    conf.register_opts(notification_opts, group=group)


def list_opts():
    return {_notifications_group(): notification_opts}
